/**
 * The run record (`runs/<id>/run.json`) and the writer the engine drives while a run executes.
 * Shape agreed in the shared formats; `schemas/run.schema.json` describes the same thing for
 * tools outside TypeScript.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { asStorageError as asStorage, naming, writeFileAtomic, writeFileChunks } from '../util/fs/index.js';
import { leaseRun, type RunLease } from './run-lease.js';

/** `crashed`: the process died without finishing (SIGKILL, out of memory); see liveness.ts. */
export type RunStatus = 'completed' | 'failed' | 'interrupted' | 'running' | 'crashed';
/** How a run ended by itself: every status but "running" and "crashed" (which only a reader records). */
export type FinishedRunStatus = Exclude<RunStatus, 'running' | 'crashed'>;
export type StageStatus = 'ran' | 'cached' | 'failed' | 'skipped';

export interface StageRecord {
  plugin: string;
  status: StageStatus;
  signature: string;
  durationMs: number;
  /** Why the stage ran (e.g. `param learning_rate changed 2e-5 → 3e-5`) or was skipped: the first of `reasons`. */
  reason?: string;
  /** Every reason it ran, the change the user just made (a --set) first. */
  reasons?: string[];
  error?: string;
}

export interface RunEnvironment {
  node: string;
  fnd: string;
  backend: string;
  platform: string;
  gitCommit?: string;
}

export interface RunRecord {
  id: string;
  /** The spec path as the user gave it, e.g. `pipelines/demo.yaml`. */
  spec: string;
  specName: string;
  status: RunStatus;
  /** ISO 8601 (UTC). */
  startedAt: string;
  durationMs: number;
  /** Stage id → what happened to it; key order is the order the engine recorded them. */
  stages: Record<string, StageRecord>;
  /** Stage id → params after defaults. */
  params: Record<string, Record<string, unknown>>;
  seed: number;
  vars: Record<string, unknown>;
  variant?: string;
  sweep?: string;
  /** The `--set PATH=VALUE` overrides given at `fnd run`, as typed, in order. */
  overrides?: string[];
  /** `fnd run --name`: what the user calls this run. */
  name?: string;
  /** `fnd run --tag` (repeatable). */
  tags?: string[];
  environment: RunEnvironment;
  error?: string;
}

/** Contents of metrics.json: stage id → the metrics that stage emitted. */
export type RunMetrics = Record<string, Record<string, unknown>>;

export const RUN_FILE = 'run.json';
export const METRICS_FILE = 'metrics.json';
export const SPEC_FILE = 'spec.yaml';
export const RESOLVED_SPEC_FILE = 'spec.resolved.yaml';

/**
 * JSON.stringify would turn NaN and ±Infinity into null; a diverged loss is exactly the value a
 * user needs to see, so non-finite numbers are kept as the strings "NaN", "Infinity", "-Infinity".
 */
function keepNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

export function serializeJson(value: unknown): string {
  return `${JSON.stringify(value, keepNonFinite, 2)}\n`;
}

export interface RunSources {
  /** The spec file's text exactly as given. */
  specSource: string;
  /** The spec after templating, overrides and defaults, as YAML. */
  resolvedSpecYaml: string;
}

/** How many `-2`, `-3`, ... suffixes to try when two runs start in the same millisecond. */
const MAX_ID_ATTEMPTS = 100;

/**
 * Creates `runsDir/<record.id>/` with the spec files and a run.json whose status is "running".
 * If that folder already exists (two runs of one spec started in the same millisecond), the id
 * gets a `-2`, `-3`, ... suffix rather than overwriting another run; read the final id from the
 * returned writer.
 */
export async function createRunFolder(runsDir: string, record: RunRecord, sources: RunSources): Promise<RunWriter> {
  await naming(runsDir, () => mkdir(runsDir, { recursive: true }));
  for (let attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
    const id = attempt === 1 ? record.id : `${record.id}-${attempt}`;
    const dir = join(runsDir, id);
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw asStorage(error, dir);
    }
    try {
      // The spec files never change after this point, so a plain write is enough for them.
      await writeFileChunks(join(dir, SPEC_FILE), [sources.specSource]);
      await writeFileChunks(join(dir, RESOLVED_SPEC_FILE), [sources.resolvedSpecYaml]);
      // Held (and touched) until the run finishes: a reader that finds it abandoned marks the run crashed.
      const lease = await leaseRun(dir);
      const writer = new RunWriter(dir, { ...structuredClone(record), id, status: 'running' }, lease);
      await writer.flush();
      return writer;
    } catch (error) {
      // A run folder without its run.json would be listed as unreadable: leave none behind.
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw error;
    }
  }
  throw new Error(`could not create a run folder for ${record.id} in ${runsDir}: ${MAX_ID_ATTEMPTS} ids taken`);
}

export interface FinishOptions {
  error?: string;
  /** Defaults to the time elapsed since `startedAt`. */
  durationMs?: number;
}

/**
 * Keeps the run record in memory and rewrites run.json atomically after each change. Stages
 * finish concurrently, so writes are chained: each one serialises the record as it is when its
 * turn comes, and the last write always carries the latest state.
 */
export class RunWriter {
  readonly dir: string;
  private readonly state: RunRecord;
  private writes: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    dir: string,
    record: RunRecord,
    private readonly lease?: RunLease,
  ) {
    this.dir = dir;
    this.state = record;
  }

  get id(): string {
    return this.state.id;
  }

  /** A copy of the record as it stands. */
  get record(): RunRecord {
    return structuredClone(this.state);
  }

  async updateStage(stageId: string, stage: StageRecord): Promise<void> {
    if (this.finished) throw new Error(`run ${this.state.id} is finished; stage ${stageId} cannot be updated`);
    this.state.stages[stageId] = { ...stage };
    this.state.durationMs = this.elapsedMs();
    // Progress: atomic but not fsynced (the final record is); a crash mid-run is detected by the lease.
    await this.flush({ durable: false });
  }

  /**
   * Writes metrics.json, then run.json with the final status, so a run.json that says
   * "completed" always has its metrics beside it.
   */
  async finishRun(status: FinishedRunStatus, metrics: RunMetrics, options: FinishOptions = {}): Promise<RunRecord> {
    if (this.finished) throw new Error(`run ${this.state.id} is already finished`);
    this.finished = true;
    // The record in memory is final even when the disk refuses the writes below.
    this.state.status = status;
    this.state.durationMs = options.durationMs ?? this.elapsedMs();
    if (options.error !== undefined) this.state.error = options.error;
    await writeFileAtomic(join(this.dir, METRICS_FILE), serializeJson(metrics));
    try {
      await this.flush();
    } finally {
      await this.lease?.release();
    }
    return this.record;
  }

  /**
   * After finishRun failed to write: records `status` and `error` in memory and tries run.json
   * once more (best effort: the disk may still be full). Returns the record as it stands.
   */
  async amendFinished(status: Exclude<RunStatus, 'running' | 'crashed'>, error: string): Promise<RunRecord> {
    this.state.status = status;
    this.state.error = error;
    await this.flush().catch(() => {});
    await this.lease?.release().catch(() => {});
    return this.record;
  }

  /** Resolves once run.json reflects every change made so far. */
  flush(options: { durable?: boolean } = {}): Promise<void> {
    const next = this.writes.then(() => writeFileAtomic(join(this.dir, RUN_FILE), serializeJson(this.state), options));
    // A failed write must reach its caller, but must not poison the writes queued after it.
    this.writes = next.catch(() => undefined);
    return next;
  }

  private elapsedMs(): number {
    const started = Date.parse(this.state.startedAt);
    return Number.isNaN(started) ? 0 : Math.max(0, Date.now() - started);
  }
}
