/**
 * Number formatting that matches Python's `format(x, '.Nf')`, which scikit-learn's
 * `classification_report` uses. JavaScript's `toFixed` rounds exact ties away from zero
 * (0.625 → "0.63") while Python rounds them to even ("0.62"); a report with support 8 and
 * 5 correct predictions would then differ from scikit-learn's. Both round the *exact* binary
 * value, so only exact ties disagree, and this function works on the exact value to get them right.
 */

/** `x` formatted with `digits` digits after the point, rounding exact ties to even (Python's rule). */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (!Number.isInteger(digits) || digits < 0 || digits > 100) throw new RangeError(`digits must be an integer in [0, 100], got ${digits}`);
  const negative = x < 0 || Object.is(x, -0);
  const { mantissa, exponent } = decompose(Math.abs(x));
  // Exact value = numerator / 10^scale, with numerator an integer.
  let numerator: bigint;
  let scale: number;
  if (exponent >= 0) {
    numerator = mantissa << BigInt(exponent);
    scale = 0;
  } else {
    // m / 2^k = m * 5^k / 10^k
    numerator = mantissa * 5n ** BigInt(-exponent);
    scale = -exponent;
  }
  let scaled: bigint;
  if (scale <= digits) {
    scaled = numerator * 10n ** BigInt(digits - scale);
  } else {
    const divisor = 10n ** BigInt(scale - digits);
    const quotient = numerator / divisor;
    const remainder = numerator % divisor;
    const twice = remainder * 2n;
    if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) scaled = quotient + 1n;
    else scaled = quotient;
  }
  let text = scaled.toString();
  if (digits > 0) {
    text = text.padStart(digits + 1, '0');
    text = `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
  }
  return negative ? `-${text}` : text;
}

/** Splits a finite non-negative double into an integer mantissa and a power of two. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  if (x === 0) return { mantissa: 0n, exponent: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}
