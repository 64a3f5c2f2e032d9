/**
 * Which metrics `fnd runs` shows as columns: the headline numbers (accuracy, F1, loss) of every
 * metrics stage, test split before validation before the rest, capped so the table fits.
 */
import { flattenLeaves } from './flatten.js';
import type { RunMetrics } from './record.js';

const KEY_NAMES = ['accuracy', 'f1', 'loss'];

function splitRank(segments: string[]): number {
  if (segments.includes('test')) return 0;
  if (segments.some((segment) => segment === 'validation' || segment === 'val' || segment === 'valid')) return 1;
  return 2;
}

/** Paths like `evaluate.test.accuracy` present as numbers in any of the runs (newest first). */
export function pickKeyMetrics(metricsOfRuns: readonly RunMetrics[], max = 4): string[] {
  const candidates = new Map<string, { rank: number; name: number; seen: number }>();
  for (const metrics of metricsOfRuns) {
    for (const leaf of flattenLeaves(metrics)) {
      const segments = leaf.path.split('.');
      const name = KEY_NAMES.indexOf(segments[segments.length - 1] ?? '');
      // Per-class scores are details of one split, not headline numbers of a run.
      if (name < 0 || typeof leaf.value !== 'number' || candidates.has(leaf.path) || segments.includes('per_class')) continue;
      candidates.set(leaf.path, { rank: splitRank(segments.slice(1, -1)), name, seen: candidates.size });
    }
  }
  return [...candidates.entries()]
    .sort(([, x], [, y]) => x.rank - y.rank || x.name - y.name || x.seen - y.seen)
    .slice(0, max)
    .map(([path]) => path);
}

/** The value at a dotted path, or undefined. */
export function metricAt(metrics: RunMetrics, path: string): unknown {
  let value: unknown = metrics;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
