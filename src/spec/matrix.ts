/**
 * Matrix expansion for sweeps: every combination of the matrix's values, as --set overrides
 * and a short, stable, filesystem-safe variant name.
 */
import { parse } from 'yaml';
import { formatNumber as formatFinite } from '../format/number.js';

export interface MatrixVariant {
  /** e.g. `learning_rate=2e-05,seed=1` (last path segment = value). */
  name: string;
  /** e.g. ['stages.train.with.learning_rate=2e-05', 'seed=1'], for loadSpec's `matrixSets`. */
  sets: string[];
}

/**
 * Cartesian product in key order: the first key varies slowest, values in list order.
 * An empty matrix gives one variant named `default` with no overrides.
 */
export function expandMatrix(matrix: Record<string, unknown[]>): MatrixVariant[] {
  const keys = Object.keys(matrix);
  let combos: [string, unknown][][] = [[]];
  for (const key of keys) {
    const values = matrix[key] ?? [];
    combos = combos.flatMap((combo) => values.map((value): [string, unknown][] => [...combo, [key, value]]));
  }
  const used = new Map<string, number>();
  return combos.map((combo) => {
    const base =
      combo.length === 0
        ? 'default'
        : combo.map(([key, value]) => `${key.split('.').at(-1)}=${safeName(formatSetValue(value))}`).join(',');
    // Distinct values can sanitise to the same name; number the later ones so runs never collide.
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    return { name: count === 1 ? base : `${base}~${count}`, sets: combo.map(([key, value]) => `${key}=${formatSetValue(value)}`) };
  });
}

/**
 * A value written so that parsing it back as a --set value gives the same value: numbers in
 * the shortest form (exponent below 1e-4, as `2e-05`), plain strings bare when YAML reads them
 * back as the same string, anything else as JSON (which YAML flow syntax accepts).
 */
export function formatSetValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') {
    if (value !== '' && value.trim() === value && roundTrips(value)) return value;
    return JSON.stringify(value);
  }
  if (value === null || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function roundTrips(text: string): boolean {
  try {
    return parse(text) === text;
  } catch {
    return false;
  }
}

/** YAML spells the non-finite numbers its own way; every finite one reads as everywhere else in fnd, never rounded. */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : n < 0 ? '-.inf' : '.nan';
  return formatFinite(n, { exact: true });
}

/** Keeps letters, digits and . _ + - ; anything else (/, spaces, quotes) becomes '_'. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._+-]/g, '_');
}
