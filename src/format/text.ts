/** Text cut to fit a table cell or a line: whitespace runs collapsed, at most `maxChars` code points, `…` when cut. */
export function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= maxChars ? chars.join('') : `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}
