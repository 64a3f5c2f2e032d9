/**
 * Nested params and metrics as dotted paths (`train.learning_rate`, `evaluate.test.f1`), the
 * form users type in `--set` and `--sort`. Arrays are leaves: a list of files or a confusion
 * matrix is one value to compare, not dozens of rows.
 */

import { canonicalJson } from '../hash/canonical.js';

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

/**
 * Equal as data: the same canonical JSON fnd hashes (hash/canonical.ts, the strict one), so key
 * order never matters. Values here come from run.json and metrics.json, which hold plain JSON
 * (non-finite numbers are stored as the strings "NaN", "Infinity"), so the strict form applies.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    // Only a value JSON cannot hold (NaN in memory) gets here; it equals nothing but itself.
    return Object.is(a, b);
  }
}
