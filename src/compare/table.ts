/**
 * One table for many runs (`fnd compare`, the sweep summary, the HTML report): the params that
 * vary across them, chosen metrics, optional filters and a sort. Pure over loaded runs.
 */
import { pickKeyMetrics } from '../runs/key-metrics.js';
import { canonicalJson } from '../hash/canonical.js';
import { FndError } from '../util/errors.js';
import { matchesFilter, parseFilter, type Filter } from './filter.js';
import {
  defaultSortMetric,
  flatMetrics,
  flatParams,
  lowerIsBetter,
  matchPath,
  unionKeys,
  unknownNameError,
  type RunEntry,
} from './keys.js';

export interface CompareOptions {
  /** Metric names (full paths or unique suffixes); default: the headline metrics. */
  metrics?: string[];
  /** Metric to sort by (full path or suffix); default test F1, else test accuracy. */
  sort?: string;
  /** `KEY OP VALUE` expressions; a run is kept when all hold. */
  filters?: string[];
}

export interface ComparisonRow {
  entry: RunEntry;
  /** Every param of the run, flattened (not only the varying ones). */
  params: Map<string, unknown>;
  metrics: Map<string, unknown>;
}

export interface Comparison {
  /** Params whose values differ between the runs kept by the filters, in first-seen order. */
  params: string[];
  metrics: string[];
  sort?: { metric: string; descending: boolean };
  rows: ComparisonRow[];
  /** How many runs the filters removed. */
  filteredOut: number;
}

function isVarying(key: string, maps: readonly Map<string, unknown>[]): boolean {
  const values = new Set(maps.map((map) => (map.has(key) ? canonicalJson(map.get(key)) : '\u0000absent')));
  return values.size > 1;
}

/** Paths of the metrics that are numbers in at least one run (a confusion matrix is not a column). */
export function numericMetricPaths(rows: readonly { metrics: Map<string, unknown> }[]): string[] {
  return unionKeys(rows.map((row) => row.metrics)).filter((path) => rows.some((row) => typeof row.metrics.get(path) === 'number'));
}

export function resolveMetricName(name: string, known: readonly string[], context: string): string {
  const found = matchPath(name, known, 'metric');
  if (found === undefined) throw unknownNameError(name, known, 'metric', context);
  return found;
}

function resolveFilter(filter: Filter, params: readonly string[], metrics: readonly string[]): { kind: 'param' | 'metric'; path: string } {
  const param = matchPath(filter.key, params, 'param');
  if (param !== undefined) return { kind: 'param', path: param };
  const metric = matchPath(filter.key, metrics, 'metric');
  if (metric !== undefined) return { kind: 'metric', path: metric };
  throw unknownNameError(filter.key, [...params, ...metrics], 'param or metric', `--filter "${filter.text}"`);
}

/** Sorted copy: best first by the metric, runs without a value last, ties in input order. */
export function sortRows<T extends { metrics: Map<string, unknown> }>(rows: readonly T[], metric: string, descending: boolean): T[] {
  const value = (row: T) => {
    const v = row.metrics.get(metric);
    return typeof v === 'number' && !Number.isNaN(v) ? v : undefined;
  };
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const a = value(x.row);
      const b = value(y.row);
      if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? x.index - y.index : 1) : -1;
      return (descending ? b - a : a - b) || x.index - y.index;
    })
    .map(({ row }) => row);
}

/**
 * Stages with a `seed` param receive the spec's seed; a `<stage>.seed` column equal to `seed`
 * in every run says nothing new, so it is left out when `seed` itself is shown.
 */
function withoutSeedCopies(varying: string[], rows: readonly ComparisonRow[]): string[] {
  if (!varying.includes('seed')) return varying;
  return varying.filter((key) => !key.endsWith('.seed') || rows.some((row) => canonicalJson(row.params.get(key) ?? null) !== canonicalJson(row.params.get('seed') ?? null)));
}

export function compareRuns(entries: readonly RunEntry[], options: CompareOptions = {}): Comparison {
  if (entries.length === 0) throw new FndError('nothing to compare: no runs given', { exitCode: 2 });
  const all: ComparisonRow[] = entries.map((entry) => ({ entry, params: flatParams(entry.record), metrics: flatMetrics(entry.metrics) }));
  const paramKeys = unionKeys(all.map((row) => row.params));
  const metricKeys = numericMetricPaths(all);

  const sortMetric = options.sort !== undefined ? resolveMetricName(options.sort, metricKeys, '--sort') : defaultSortMetric(metricKeys);
  let metrics = (options.metrics ?? []).map((name) => resolveMetricName(name, metricKeys, '--metrics'));
  if (metrics.length === 0) {
    metrics = pickKeyMetrics(entries.map((entry) => entry.metrics));
    if (sortMetric && !metrics.includes(sortMetric)) metrics = [sortMetric, ...metrics.slice(0, 3)];
  }

  const filters = (options.filters ?? []).map(parseFilter).map((filter) => ({ filter, ...resolveFilter(filter, paramKeys, metricKeys) }));
  const kept = all.filter((row) => filters.every(({ filter, kind, path }) => matchesFilter((kind === 'param' ? row.params : row.metrics).get(path), filter)));
  // What varies among the runs shown, not among those the filters removed.
  const basis = kept.length > 0 ? kept : all;
  const varying = withoutSeedCopies(paramKeys.filter((key) => isVarying(key, basis.map((row) => row.params))), basis);
  const descending = sortMetric ? !lowerIsBetter(sortMetric) : true;
  return {
    params: varying,
    metrics,
    ...(sortMetric ? { sort: { metric: sortMetric, descending } } : {}),
    rows: sortMetric ? sortRows(kept, sortMetric, descending) : kept,
    filteredOut: all.length - kept.length,
  };
}
