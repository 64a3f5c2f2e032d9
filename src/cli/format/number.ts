/**
 * Numbers and values as people read them in a table: at most 6 significant digits, trailing
 * zeros dropped, exponents for the very small and very large (learning rates read as 3e-5).
 */

/** Shown wherever a value is absent (a metric only one run has, an unfinished duration). */
export const MISSING = '—';

const SIGNIFICANT = 6;

function trimMantissa(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e15) return String(value);
  const fixed = value.toPrecision(SIGNIFICANT);
  // toPrecision itself switches to an exponent when rounding reaches 1e6 (999999.5).
  if (abs < 1e-3 || abs >= 1e6 || fixed.includes('e')) {
    const [mantissa = '', exponent = ''] = value.toExponential(SIGNIFICANT - 1).split('e');
    return `${trimMantissa(mantissa)}e${exponent.replace(/^\+/, '')}`;
  }
  return trimMantissa(fixed);
}

/** A difference with its sign always shown: +0.02, -1.5e-4, 0. */
export function formatDelta(value: number): string {
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

const MAX_INLINE_JSON = 48;

/** Any param or metric value in one table cell; long lists are summarised, not wrapped. */
export function formatValue(value: unknown): string {
  if (value === undefined) return MISSING;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') {
    // A classification report or another multi-line text would stretch a column across the screen.
    const lines = value.split('\n').length;
    if (lines > 1) return `‹text, ${lines} lines›`;
    return value.length <= MAX_INLINE_JSON ? value : `${value.slice(0, MAX_INLINE_JSON - 1)}…`;
  }
  if (typeof value === 'boolean' || value === null) return String(value);
  const json = JSON.stringify(value);
  if (json.length <= MAX_INLINE_JSON) return json;
  if (Array.isArray(value)) return `[${value.length} items]`;
  return `{${Object.keys(value as object).length} keys}`;
}

export { formatDuration } from '../../util/duration.js';

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
