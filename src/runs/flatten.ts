/**
 * Nested params and metrics as dotted paths (`train.learning_rate`, `evaluate.test.f1`), the
 * form users type in `--set` and `--sort`. Arrays are leaves: a list of files or a confusion
 * matrix is one value to compare, not dozens of rows.
 */

export interface Leaf {
  path: string;
  value: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function flattenLeaves(value: unknown, prefix = ''): Leaf[] {
  if (!isPlainObject(value)) return prefix === '' ? [] : [{ path: prefix, value }];
  const entries = Object.entries(value);
  // An empty object is still a value someone set; keep it visible rather than dropping the path.
  if (entries.length === 0) return prefix === '' ? [] : [{ path: prefix, value }];
  return entries.flatMap(([key, child]) => flattenLeaves(child, prefix === '' ? key : `${prefix}.${key}`));
}

/** Order-insensitive for object keys, so `{a,b}` and `{b,a}` compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  // JSON.stringify(NaN) is "null"; NaN must not equal a real null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? 'undefined';
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
