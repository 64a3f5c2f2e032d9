/**
 * Aggregation over seeds: runs that differ only by a seed (the spec's `seed` or any `*.seed`
 * param) are repetitions of one configuration, so each metric is reported as mean ± sample
 * standard deviation next to the per-seed values. With other params varying too, runs are
 * grouped by those params and aggregated within each group.
 */
import { canonicalJson } from '../hash/canonical.js';
import { mean, sampleStd } from './stats.js';
import { sortRows, type Comparison, type ComparisonRow } from './table.js';

export function isSeedParam(path: string): boolean {
  return path === 'seed' || path.endsWith('.seed');
}

export interface MetricSpread {
  metric: string;
  /** Per seed, in the group's run order; runs without the metric are left out of `values`. */
  values: number[];
  mean: number;
  /** Sample standard deviation (n − 1); NaN for a single value. */
  std: number;
}

export interface SeedGroup {
  /** The non-seed params that define the group, e.g. `{ 'train.learning_rate': 2e-5 }`. */
  params: Record<string, unknown>;
  runIds: string[];
  /** The seed of each run, in `runIds` order. */
  seeds: unknown[];
  metrics: MetricSpread[];
}

export interface SeedSummary {
  seedParams: string[];
  groupParams: string[];
  groups: SeedGroup[];
}

function seedOf(row: ComparisonRow, seedParams: readonly string[]): unknown {
  const key = seedParams.includes('seed') ? 'seed' : seedParams[0]!;
  return row.params.get(key);
}

/** Undefined when no seed param varies across the comparison's runs. */
export function aggregateOverSeeds(comparison: Comparison): SeedSummary | undefined {
  const seedParams = comparison.params.filter(isSeedParam);
  if (seedParams.length === 0) return undefined;
  const groupParams = comparison.params.filter((path) => !isSeedParam(path));
  const byKey = new Map<string, ComparisonRow[]>();
  for (const row of comparison.rows) {
    const key = canonicalJson(groupParams.map((path) => row.params.get(path) ?? null));
    const rows = byKey.get(key) ?? [];
    rows.push(row);
    byKey.set(key, rows);
  }
  const bySeed = (x: ComparisonRow, y: ComparisonRow) => {
    const a = seedOf(x, seedParams);
    const b = seedOf(y, seedParams);
    return typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  };
  const groups = [...byKey.values()].map((unsorted): SeedGroup & { metricsMap: Map<string, unknown> } => {
    const rows = [...unsorted].sort(bySeed);
    const metrics = comparison.metrics.map((metric): MetricSpread => {
      const values = rows.map((row) => row.metrics.get(metric)).filter((v): v is number => typeof v === 'number');
      return { metric, values, mean: mean(values), std: sampleStd(values) };
    });
    return {
      params: Object.fromEntries(groupParams.map((path) => [path, rows[0]!.params.get(path)])),
      runIds: rows.map((row) => row.entry.id),
      seeds: rows.map((row) => seedOf(row, seedParams)),
      metrics,
      metricsMap: new Map(metrics.map((m) => [m.metric, m.mean])),
    };
  });
  const sorted = comparison.sort
    ? sortRows(groups.map((g) => ({ ...g, metrics: g.metricsMap, group: g })), comparison.sort.metric, comparison.sort.descending).map((g) => g.group)
    : groups;
  return { seedParams, groupParams, groups: sorted.map(({ metricsMap: _unused, ...group }) => group) };
}
