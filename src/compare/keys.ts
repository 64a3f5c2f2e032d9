/**
 * The names users type for params and metrics: params flattened as `train.learning_rate` (plus
 * the spec's `seed`), metrics as their full path `evaluate.test.f1` or any unique dotted suffix
 * of it (`test.f1`). Unknown names are errors that list the nearest real ones.
 */
import { flattenLeaves } from '../runs/flatten.js';
import type { RunMetrics, RunRecord } from '../runs/record.js';
import { FndError } from '../util/errors.js';
import { editDistance } from '../util/suggest.js';

export interface RunEntry {
  id: string;
  record: RunRecord;
  metrics: RunMetrics;
}

/** `{seed, 'stage.param': value}`: the params of a run as dotted paths, seed first. */
export function flatParams(record: RunRecord): Map<string, unknown> {
  return new Map(flattenLeaves({ seed: record.seed, ...record.params }).map((leaf) => [leaf.path, leaf.value]));
}

export function flatMetrics(metrics: RunMetrics): Map<string, unknown> {
  return new Map(flattenLeaves(metrics).map((leaf) => [leaf.path, leaf.value]));
}

/** Every path in first-seen order across the maps. */
export function unionKeys(maps: readonly Map<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const map of maps) for (const key of map.keys()) keys.add(key);
  return [...keys];
}

/** Up to `count` known names closest to `name` (by edit distance, suffix matches first). */
export function nearNames(name: string, known: readonly string[], count = 5): string[] {
  const score = (candidate: string) => {
    const last = candidate.split('.').at(-1) ?? candidate;
    const suffix = candidate.endsWith(`.${name}`) || name.endsWith(`.${last}`) || last === name.split('.').at(-1) ? -100 : 0;
    return suffix + Math.min(editDistance(name, candidate), editDistance(name, last));
  };
  return [...known].sort((x, y) => score(x) - score(y) || (x < y ? -1 : 1)).slice(0, count);
}

/**
 * The full path `name` refers to among `known`: itself, or the one path ending with `.name`.
 * Undefined when nothing matches; an ambiguous suffix is an error listing the candidates.
 */
export function matchPath(name: string, known: readonly string[], what: string): string | undefined {
  if (known.includes(name)) return name;
  const matches = known.filter((path) => path.endsWith(`.${name}`));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new FndError(`${what} "${name}" is ambiguous: it matches ${matches.join(', ')}`, { exitCode: 2 });
  return undefined;
}

export function unknownNameError(name: string, known: readonly string[], what: string, context: string): FndError {
  const near = nearNames(name, known);
  const list = near.length > 0 ? `; near names: ${near.join(', ')}` : '; there are none';
  return new FndError(`${context}: unknown ${what} "${name}"${list}`, { exitCode: 2 });
}

/** Losses and error rates improve downwards; everything else (accuracy, F1) upwards. */
export function lowerIsBetter(metricPath: string): boolean {
  const last = metricPath.split('.').at(-1) ?? '';
  return /loss|error|perplexity|_rate$|misclassified/i.test(last) && !/learning_rate/.test(last);
}

const DEFAULT_SORT = ['evaluate.test.f1', 'evaluate.test.accuracy', 'test.f1', 'test.accuracy', 'f1', 'accuracy'];

/** The metric a summary is sorted by when none is asked for: test F1, else test accuracy, else none. */
export function defaultSortMetric(numericMetricPaths: readonly string[]): string | undefined {
  for (const name of DEFAULT_SORT) {
    const exact = numericMetricPaths.find((path) => path === name);
    if (exact) return exact;
    const suffix = numericMetricPaths.find((path) => path.endsWith(`.${name}`));
    if (suffix) return suffix;
  }
  return undefined;
}
