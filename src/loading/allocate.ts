/**
 * Splits `count` items into parts proportional to `ratios` (which sum to 1) by the largest
 * remainder method: each part gets floor(ratio * count), and the items left over go one each
 * to the parts with the largest fractional remainders (ties: earlier part first).
 * E.g. 3252 × (0.7, 0.15, 0.15) → 2276, 488, 488.
 */
export function allocate(count: number, ratios: readonly number[]): number[] {
  const exact = ratios.map((ratio) => ratio * count);
  // Round before flooring so 0.7 * 2000 = 1399.9999999999998 counts as 1400.
  const sizes = exact.map((value) => Math.floor(Number(value.toFixed(9))));
  let left = count - sizes.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: Number(value.toFixed(9)) - sizes[index]! }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    sizes[index]!++;
    left--;
  }
  return sizes;
}
