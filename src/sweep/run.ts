/**
 * Runs the variants of a prepared sweep through the engine, N at a time. Upstream stages are
 * shared through the cache (the engine's per-signature locks let concurrent variants wait for
 * one another instead of computing the same stage twice). Variants a previous attempt completed
 * are skipped, so an interrupted sweep resumes where it stopped.
 */
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Reporter } from '../engine/events.js';
import { executePipeline } from '../engine/run-pipeline.js';
import type { RunRecord } from '../runs/record.js';
import { listRuns } from '../runs/store.js';
import { planSweep, type VariantPlan } from './plan.js';
import type { PreparedSweep, PreparedVariant } from './prepare.js';
import { readSweepFile, writeSweepFile, type SweepRecord, type SweepVariantRecord, type VariantStatus } from './record.js';

export interface SweepRunOptions {
  /** Variants run at once; default 1. */
  jobs?: number;
  signal?: AbortSignal;
  /** A reporter for one variant's engine events. */
  reporterFor(variant: string): Reporter;
  /** Told when a variant is skipped, starts or ends. */
  onVariant?(event: VariantEvent): void;
  /** The spec path as the user typed it. */
  specAsGiven?: string;
  /** Full path of the metric the summary is sorted by (recorded in sweep.json). */
  sort?: string;
}

export type VariantEvent =
  | { type: 'skipped'; variant: string; runId: string }
  | { type: 'start'; variant: string }
  | { type: 'end'; variant: string; runId: string; status: VariantStatus };

export interface SweepOutcome {
  record: SweepRecord;
  dir: string;
  /** Variants skipped because a completed run already matched. */
  skipped: string[];
  /** Variants run by this invocation. */
  ran: string[];
}

/** Completed runs of each variant of this sweep, newest first. */
export async function completedRunsBySweep(sweep: PreparedSweep): Promise<(variant: string) => RunRecord[]> {
  const { runs } = await listRuns(sweep.paths.runsDir);
  const ours = runs.filter((record) => record.sweep === sweep.id && record.status === 'completed');
  return (variant) => ours.filter((record) => record.variant === variant);
}

export async function planPreparedSweep(sweep: PreparedSweep): Promise<VariantPlan[]> {
  return planSweep(sweep.variants, await completedRunsBySweep(sweep));
}

function sweepStatus(variants: readonly SweepVariantRecord[], interrupted: boolean): SweepRecord['status'] {
  if (interrupted) return 'interrupted';
  if (variants.some((v) => v.status === 'failed')) return 'failed';
  return variants.every((v) => v.status === 'completed') ? 'completed' : 'interrupted';
}

export async function runSweep(sweep: PreparedSweep, options: SweepRunOptions): Promise<SweepOutcome> {
  const dir = join(sweep.paths.runsDir, sweep.id);
  await mkdir(dir, { recursive: true });
  const previous = await readSweepFile(dir);
  const plans = await planPreparedSweep(sweep);
  const now = new Date().toISOString();
  const record: SweepRecord = {
    id: sweep.id,
    spec: options.specAsGiven ?? relative(process.cwd(), sweep.specFile),
    specName: sweep.specName,
    sets: sweep.sets,
    matrix: sweep.matrix,
    variants: plans.map((plan) => {
      const before = previous?.variants.find((v) => v.name === plan.name);
      if (plan.completedRun) return { name: plan.name, sets: plan.sets, runId: plan.completedRun, status: 'completed' };
      // An unfinished variant keeps the id of its last attempt until a new one starts.
      return { name: plan.name, sets: plan.sets, ...(before?.runId ? { runId: before.runId } : {}), status: 'pending' };
    }),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    status: 'running',
    ...(options.sort ? { sort: options.sort } : {}),
  };
  // Writes are chained: variants finish concurrently, and the last write must carry the latest state.
  let writes: Promise<void> = Promise.resolve();
  const save = () => {
    record.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(record);
    writes = writes.then(() => writeSweepFile(dir, snapshot));
    return writes;
  };
  await save();

  const skipped: string[] = [];
  const todo: PreparedVariant[] = [];
  for (const variant of sweep.variants) {
    const entry = record.variants.find((v) => v.name === variant.name)!;
    if (entry.status === 'completed') {
      skipped.push(variant.name);
      options.onVariant?.({ type: 'skipped', variant: variant.name, runId: entry.runId! });
    } else {
      todo.push(variant);
    }
  }

  const ran: string[] = [];
  const runOne = async (variant: PreparedVariant) => {
    const entry = record.variants.find((v) => v.name === variant.name)!;
    entry.status = 'running';
    options.onVariant?.({ type: 'start', variant: variant.name });
    const reporter = options.reporterFor(variant.name);
    const outcome = await executePipeline(variant.prepared, {
      reporter,
      jobs: 1,
      ...(options.signal ? { signal: options.signal } : {}),
      variant: variant.name,
      sweep: sweep.id,
      specAsGiven: record.spec,
    });
    await reporter.close();
    entry.runId = outcome.runId;
    entry.status = outcome.status;
    ran.push(variant.name);
    await save();
    options.onVariant?.({ type: 'end', variant: variant.name, runId: outcome.runId, status: outcome.status });
  };

  const jobs = Math.max(1, options.jobs ?? 1);
  let next = 0;
  const worker = async () => {
    while (next < todo.length && !options.signal?.aborted) {
      const variant = todo[next++]!;
      await runOne(variant);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
  record.status = sweepStatus(record.variants, Boolean(options.signal?.aborted));
  await save();
  return { record, dir, skipped, ran };
}
