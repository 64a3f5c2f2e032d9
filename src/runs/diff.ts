/**
 * What changed between two recorded runs: params, metrics, and which stages ran or came from the
 * cache. Pure: callers load the runs (store.ts) and render the result (cli/commands/diff.ts).
 *
 * Extension point (issue 6): prediction-level comparison needs the stored predictions files and
 * a bootstrap, so it lives in its own module, is computed by the caller, and is attached as
 * `RunDiff.predictions`; renderers already show that section when it is present.
 */
import { flattenLeaves, sameValue } from './flatten.js';
import type { RunMetrics, RunRecord, StageStatus } from './record.js';

export interface RunSide {
  record: RunRecord;
  metrics: RunMetrics;
}

export type RunSummary = Pick<RunRecord, 'id' | 'spec' | 'specName' | 'status' | 'startedAt' | 'durationMs' | 'variant'>;

/** `only-a` / `only-b`: the path exists in one run only (shown as — on the other side). */
export type ValueChange = 'same' | 'different' | 'only-a' | 'only-b';

export interface ParamDiff {
  path: string;
  /** Absent when the path exists only in run B. */
  a?: unknown;
  b?: unknown;
  change: Exclude<ValueChange, 'same'>;
}

export interface MetricDiff {
  path: string;
  a?: unknown;
  b?: unknown;
  change: ValueChange;
  /** b − a when both are finite numbers, else null. */
  delta: number | null;
}

export interface StageDiff {
  stageId: string;
  /** Absent when the stage is not in that run. */
  a?: StageStatus;
  b?: StageStatus;
  /** Same signature: the stage computed (or would compute) the same output in both runs. */
  sameSignature: boolean;
}

/** One test example whose correctness differs between the runs (issue 6). */
export interface PredictionFlip {
  id: string;
  /** A short excerpt (e.g. the title) to recognise the example by. */
  excerpt: string;
  label: string | number;
  a: { prediction: string | number; confidence: number };
  b: { prediction: string | number; confidence: number };
}

export interface ConfidenceInterval {
  /** e.g. "accuracy", "f1". */
  metric: string;
  /** Point estimate of B − A. */
  delta: number;
  low: number;
  high: number;
}

/** Paired comparison of the two runs' predictions on one split; filled by a separate module. */
export interface PredictionDiff {
  split: string;
  /** Examples present in both runs' predictions, matched by row id. */
  paired: number;
  rightToWrong: number;
  wrongToRight: number;
  examples: PredictionFlip[];
  /** Examples only one run predicted (not paired, so not in the counts); absent when none. */
  unpaired?: { a: number; b: number };
  bootstrap?: { resamples: number; seed: number; level: number; intervals: ConfidenceInterval[] };
}

export interface RunDiff {
  a: RunSummary;
  b: RunSummary;
  /** Only the params that differ, `seed` first, then `<stage>.<param>` in stage order. */
  params: ParamDiff[];
  /** The params both runs share with the same value (shown by `fnd diff --all`). */
  sameParams: { path: string; value: unknown }[];
  /** Every metric leaf of either run, in A's order, then those only B has. */
  metrics: MetricDiff[];
  stages: StageDiff[];
  predictions?: PredictionDiff[];
  /** Why predictions were not compared (e.g. a run has no predictions file), in one line. */
  predictionsNote?: string;
}

function summarize(record: RunRecord): RunSummary {
  const summary: RunSummary = {
    id: record.id,
    spec: record.spec,
    specName: record.specName,
    status: record.status,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
  };
  if (record.variant !== undefined) summary.variant = record.variant;
  return summary;
}

interface Paired {
  path: string;
  a?: unknown;
  b?: unknown;
  inA: boolean;
  inB: boolean;
}

/** Leaves of both sides matched by path, in A's order followed by B-only paths. */
function pairLeaves(a: unknown, b: unknown): Paired[] {
  const byPath = new Map<string, Paired>();
  for (const leaf of flattenLeaves(a)) byPath.set(leaf.path, { path: leaf.path, a: leaf.value, inA: true, inB: false });
  for (const leaf of flattenLeaves(b)) {
    const existing = byPath.get(leaf.path);
    if (existing) {
      existing.b = leaf.value;
      existing.inB = true;
    } else {
      byPath.set(leaf.path, { path: leaf.path, b: leaf.value, inA: false, inB: true });
    }
  }
  return [...byPath.values()];
}

function changeOf(pair: Paired): ValueChange {
  if (!pair.inA) return 'only-b';
  if (!pair.inB) return 'only-a';
  return sameValue(pair.a, pair.b) ? 'same' : 'different';
}

function sides(pair: Paired): { a?: unknown; b?: unknown } {
  const out: { a?: unknown; b?: unknown } = {};
  if (pair.inA) out.a = pair.a;
  if (pair.inB) out.b = pair.b;
  return out;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function diffParams(a: RunRecord, b: RunRecord): ParamDiff[] {
  const withSeed = (record: RunRecord) => ({ seed: record.seed, ...record.params });
  const diffs: ParamDiff[] = [];
  for (const pair of pairLeaves(withSeed(a), withSeed(b))) {
    const change = changeOf(pair);
    if (change !== 'same') diffs.push({ path: pair.path, ...sides(pair), change });
  }
  return diffs;
}

export function sameParams(a: RunRecord, b: RunRecord): { path: string; value: unknown }[] {
  const withSeed = (record: RunRecord) => ({ seed: record.seed, ...record.params });
  return pairLeaves(withSeed(a), withSeed(b))
    .filter((pair) => changeOf(pair) === 'same')
    .map((pair) => ({ path: pair.path, value: pair.a }));
}

export function diffMetrics(a: RunMetrics, b: RunMetrics): MetricDiff[] {
  return pairLeaves(a, b).map((pair) => ({
    path: pair.path,
    ...sides(pair),
    change: changeOf(pair),
    delta: pair.inA && pair.inB && isFiniteNumber(pair.a) && isFiniteNumber(pair.b) ? pair.b - pair.a : null,
  }));
}

export function diffStages(a: RunRecord, b: RunRecord): StageDiff[] {
  const ids = [...new Set([...Object.keys(a.stages), ...Object.keys(b.stages)])];
  return ids.map((stageId) => {
    const stageA = a.stages[stageId];
    const stageB = b.stages[stageId];
    const diff: StageDiff = {
      stageId,
      sameSignature: stageA !== undefined && stageB !== undefined && stageA.signature === stageB.signature,
    };
    if (stageA) diff.a = stageA.status;
    if (stageB) diff.b = stageB.status;
    return diff;
  });
}

export function diffRuns(a: RunSide, b: RunSide): RunDiff {
  return {
    a: summarize(a.record),
    b: summarize(b.record),
    params: diffParams(a.record, b.record),
    sameParams: sameParams(a.record, b.record),
    metrics: diffMetrics(a.metrics, b.metrics),
    stages: diffStages(a.record, b.record),
  };
}
