/**
 * How fnd prints a number, everywhere it prints one (status reasons, `runs`, `compare`, `diff`,
 * report.md, HTML reports, the training progress line): Python's `%g` rule, so a learning rate
 * reads `5e-05` as the Hugging Face Trainer and the notebooks print it. At most 6 significant
 * digits (`significant` picks another count), trailing zeros dropped, an exponent with two digits
 * or more when it is below -4 or reaches the number of digits shown. Whole numbers stay whole.
 * `exact: true` keeps every digit JavaScript needs to read the value back (used where two values
 * that differ must never print alike, e.g. "param changed: a → b").
 */

/** Shown wherever a value is absent (a metric only one run has, an unfinished duration). */
export const MISSING = '—';

const SIGNIFICANT = 6;
/** Python's repr switches to an exponent at 1e16; `exact` follows it. */
const EXACT_DIGITS = 16;

export interface NumberFormat {
  /** Significant digits to round to (default 6). */
  significant?: number;
  /** Every digit of the shortest round-trip form, no rounding. */
  exact?: boolean;
}

function trimMantissa(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

export function formatNumber(value: number, options: NumberFormat = {}): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e16) return String(value);
  const digits = options.exact ? EXACT_DIGITS : Math.max(1, Math.round(options.significant ?? SIGNIFICANT));
  // The exponent after rounding: 999999.7 rounds to 1e+06 and must print as such.
  const scientific = options.exact ? value.toExponential() : value.toExponential(digits - 1);
  const [mantissa = '', exponentText = ''] = scientific.split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= digits) {
    return `${trimMantissa(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return options.exact ? String(value) : trimMantissa(value.toFixed(Math.max(0, digits - 1 - exponent)));
}

/** A difference with its sign always shown: +0.02, -1.5e-05, 0. */
export function formatDelta(value: number): string {
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

const MAX_INLINE = 48;

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Any param or metric value in one table cell, never as JSON: numbers as formatNumber prints
 * them, a short list of scalars comma-separated, a small map as `key: value` pairs; anything
 * longer or deeper is summarised (`[30 items]`, `{12 keys}`), never wrapped.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return MISSING;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') {
    // A classification report or another multi-line text would stretch a column across the screen.
    const lines = value.split('\n').length;
    if (lines > 1) return `‹text, ${lines} lines›`;
    return value.length <= MAX_INLINE ? value : `${value.slice(0, MAX_INLINE - 1)}…`;
  }
  if (typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    const text = value.every(isScalar) ? value.map((item) => formatValue(item)).join(', ') : undefined;
    return text !== undefined && text.length <= MAX_INLINE ? text : `[${value.length} items]`;
  }
  const entries = Object.entries(value as object);
  if (entries.length === 0) return '(none)';
  const text = entries.every(([, item]) => isScalar(item)) ? entries.map(([key, item]) => `${key}: ${formatValue(item)}`).join(', ') : undefined;
  return text !== undefined && text.length <= MAX_INLINE ? text : `{${entries.length} keys}`;
}

export { formatDuration } from './duration.js';

/** UTC, to the second, without the ISO punctuation: `2026-11-27 03:35:12`. */
export function formatTimestamp(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A table cell for a value: numbers right-aligned so their digits line up, anything else left. */
export function valueCell(value: unknown): { text: string; align: 'left' | 'right' } {
  return { text: formatValue(value), align: typeof value === 'number' || value === undefined ? 'right' : 'left' };
}
