import { relative } from 'node:path';
import { stringify } from 'yaml';
import { CacheStore } from '../cache/store.js';
import { isDirectory } from '../cache/fsutil.js';
import { linkTree } from '../cache/link.js';
import type { CacheEntry } from '../cache/meta.js';
import { newRunId } from '../runs/id.js';
import { listRuns } from '../runs/store.js';
import { registerProject } from '../cache/projects.js';
import { createRunFolder, type FinishedRunStatus, type RunMetrics, type RunRecord, type RunWriter } from '../runs/record.js';
import type { ValidatedPipeline } from '../spec/validate.js';
import { isUserError } from '../util/errors.js';
import { StorageError, asStorageError, copyAtomic, isStorageFailure } from '../util/fs/index.js';
import { collectEnvironment } from './environment.js';
import type { EngineEvent, Reporter } from './events.js';
import { executeStage, type StageExecutionContext } from './execute-stage.js';
import type { Upstream } from './decide.js';
import { writeRunReport } from '../report/run-report.js';
import { preparePipeline, type PrepareOptions, type PreparedPipeline } from './prepare.js';

export interface RunOptions extends PrepareOptions {
  /** How many independent stages may run at once. */
  jobs?: number;
  reporter: Reporter;
  /** Aborted on Ctrl-C: running stages are stopped, completed ones stay cached. */
  signal?: AbortSignal;
  variant?: string;
  sweep?: string;
  /** `fnd run --name` and `--tag`: recorded so `fnd runs` can tell runs apart. */
  name?: string;
  tags?: string[];
  /** The spec path as the user typed it, for run.json. */
  specAsGiven?: string;
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  status: FinishedRunStatus;
  record: RunRecord;
  metrics: RunMetrics;
}

/** The spec as it ran: templated, overridden, params with defaults, wiring explicit. */
export function resolvedSpecYaml(pipeline: ValidatedPipeline): string {
  const stages: Record<string, unknown> = {};
  for (const stage of pipeline.stages) {
    stages[stage.id] = {
      uses: stage.uses,
      ...(Object.keys(stage.inputs).length > 0
        ? { inputs: Object.fromEntries(Object.entries(stage.inputs).map(([port, ref]) => [port, `${ref.stage}.${ref.port}`])) }
        : {}),
      with: stage.params,
      ...(stage.device ? { device: stage.device } : {}),
      ...(stage.cache ? {} : { cache: false }),
    };
  }
  const spec = pipeline.spec;
  return stringify({ name: spec.name, description: spec.description, seed: spec.seed, vars: spec.vars, stages });
}

/** A stage's exports appear in the run folder as hard links to the cache entry's files (no copies). */
async function linkExports(entry: CacheEntry, runDir: string): Promise<void> {
  if (await isDirectory(entry.exportsDir)) await linkTree(entry.exportsDir, runDir);
}

/** What the user typed to tell this run apart: its `--set`s (a sweep's matrix is its variant), name and tags. */
function userLabels(prepared: PreparedPipeline, options: RunOptions): Pick<RunRecord, 'overrides' | 'name' | 'tags'> {
  const overrides = prepared.loaded.overrides.filter((o) => o.source === 'set').map((o) => o.text);
  return {
    ...(overrides.length > 0 ? { overrides } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.tags !== undefined && options.tags.length > 0 ? { tags: [...options.tags] } : {}),
  };
}

function firstLine(error: unknown): string {
  // A full disk or a failing device outside a stage's own code (a commit, a copy) names its path too.
  const described = isStorageFailure(error) ? asStorageError(error, (error as NodeJS.ErrnoException).path ?? 'a file') : error;
  return described instanceof Error ? described.message : String(described);
}

/** Runs an already prepared pipeline: the scheduler, the cache and the run record. */
export async function executePipeline(prepared: PreparedPipeline, options: RunOptions): Promise<RunOutcome> {
  const { pipeline, paths } = prepared;
  const cache = new CacheStore(paths.cacheDir);
  await cache.cleanTmp();
  // The registry only makes gc in another project keep this one's entries: a cache that cannot
  // take it (full, read-only) fails at the first stage's lock, with the stage named, not here.
  const unregistered = await registerProject(cache.layout, paths.projectDir, paths.runsDir).then(
    () => undefined,
    (error: unknown) => {
      if (!isStorageFailure(error) && !(error instanceof StorageError)) throw error;
      return firstLine(error);
    },
  );
  // Reading the runs records the ones whose process died (kill -9) as crashed and frees their locks.
  await listRuns(paths.runsDir);
  const started = Date.now();
  const stageById = new Map(pipeline.stages.map((stage) => [stage.id, stage]));
  const partIds = new Set(Object.values(pipeline.spec.groups ?? {}).flat());
  const writer: RunWriter = await createRunFolder(
    paths.runsDir,
    {
      id: newRunId(pipeline.spec.name),
      spec: options.specAsGiven ?? relative(process.cwd(), prepared.loaded.file),
      specName: pipeline.spec.name,
      status: 'running',
      startedAt: new Date(started).toISOString(),
      durationMs: 0,
      stages: {},
      params: Object.fromEntries(pipeline.stages.map((stage) => [stage.id, stage.params])),
      seed: pipeline.spec.seed,
      vars: pipeline.spec.vars,
      ...(options.variant ? { variant: options.variant } : {}),
      ...(options.sweep ? { sweep: options.sweep } : {}),
      ...userLabels(prepared, options),
      environment: collectEnvironment(paths.projectDir),
    },
    { specSource: prepared.loaded.source, resolvedSpecYaml: resolvedSpecYaml(pipeline) },
  );
  const runId = writer.id;
  const emit = (event: EngineEvent) => options.reporter.onEvent(event);
  if (unregistered) emit({ type: 'warning', message: `this project could not be registered in the cache (${unregistered}); gc run from another project sharing it may remove this project's entries` });
  emit({ type: 'run-start', runId, spec: writer.record.spec, stages: pipeline.stages.map((s) => ({ id: s.id, plugin: s.uses })) });

  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();

  const context: StageExecutionContext = {
    prepared,
    cache,
    runId,
    seed: pipeline.spec.seed,
    signal: controller.signal,
    emit,
    codeHashes: new Map(),
  };
  const done = new Map<string, Upstream>();
  const metrics: RunMetrics = {};
  const pending = new Set(pipeline.order);
  const running = new Map<string, Promise<void>>();
  const jobs = Math.max(1, options.jobs ?? 1);
  let failure: string | undefined;
  // run.json is rewritten after every stage; when that write fails (a full disk) the run goes on,
  // says so once, and ends failed with the reason, since its record is incomplete.
  let recordFailure: string | undefined;
  const keepRecord = async (write: () => Promise<unknown>): Promise<void> => {
    try {
      await write();
    } catch (error) {
      if (!isUserError(error) && !isStorageFailure(error)) throw error;
      if (recordFailure !== undefined) return;
      recordFailure = firstLine(error);
      emit({ type: 'warning', message: `the run record could not be written: ${recordFailure}` });
    }
  };

  const start = (stageId: string) => {
    const stage = stageById.get(stageId)!;
    pending.delete(stageId);
    const task = (async () => {
      try {
        const result = await executeStage(stage, done, context);
        done.set(stageId, { entry: result.entry, runs: result.status === 'ran' });
        if (Object.keys(result.entry.meta.metrics).length > 0) metrics[stageId] = result.entry.meta.metrics;
        // The parts of a foreach stage export the same file names: each part gets its own folder (runs/<id>/tokenize.train/).
        await linkExports(result.entry, partIds.has(stageId) ? `${writer.dir}/${stageId}` : writer.dir);
        await keepRecord(() =>
          writer.updateStage(stageId, {
            plugin: stage.uses,
            status: result.status,
            signature: result.signature,
            durationMs: result.durationMs,
            ...(result.status === 'ran' ? { reason: result.reason, reasons: result.reasons } : {}),
          }),
        );
        emit({ type: 'stage-end', stageId, status: result.status, durationMs: result.durationMs, summary: result.entry.meta.summary, reason: result.reason });
      } catch (error) {
        const interrupted = controller.signal.aborted;
        const described = firstLine(error);
        // Failures outside the plugin's code (a commit, a copy into the run folder) get the stage named too.
        const message = interrupted ? 'interrupted' : described.includes(`stage "${stageId}"`) ? described : `stage "${stageId}": ${described}`;
        if (!interrupted) failure ??= message;
        if (!interrupted && !isUserError(error) && error instanceof Error && error.stack) {
          emit({ type: 'stage-log', stageId, level: 'debug', message: error.stack });
        }
        await keepRecord(() => writer.updateStage(stageId, { plugin: stage.uses, status: 'failed', signature: '', durationMs: 0, error: message }));
        emit({ type: 'stage-end', stageId, status: 'failed', durationMs: 0, error: message });
      } finally {
        running.delete(stageId);
      }
    })();
    running.set(stageId, task);
  };

  for (;;) {
    const stopping = failure !== undefined || controller.signal.aborted;
    if (!stopping) {
      for (const stageId of pipeline.order) {
        if (running.size >= jobs) break;
        if (!pending.has(stageId)) continue;
        const deps = Object.values(stageById.get(stageId)!.inputs).map((ref) => ref.stage);
        if (deps.every((dep) => done.has(dep))) start(stageId);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  const status: FinishedRunStatus = controller.signal.aborted ? 'interrupted' : failure !== undefined ? 'failed' : 'completed';
  for (const stageId of pipeline.order) {
    if (!pending.has(stageId)) continue;
    const stage = stageById.get(stageId)!;
    const reason = status === 'interrupted' ? 'run interrupted' : 'an upstream or earlier stage failed';
    await keepRecord(() => writer.updateStage(stageId, { plugin: stage.uses, status: 'skipped', signature: '', durationMs: 0, reason }));
    emit({ type: 'stage-end', stageId, status: 'skipped', durationMs: 0, reason });
  }
  options.signal?.removeEventListener('abort', onAbort);
  const finish = { durationMs: Date.now() - started, ...(status === 'failed' ? { error: failure } : status === 'interrupted' ? { error: 'interrupted by the user' } : {}) };
  await keepRecord(() => writer.finishRun(status, metrics, finish));
  if (recordFailure === undefined) await keepRecord(async () => writeRunReport(writer.dir, writer.record, metrics));
  let record = writer.record;
  let finalStatus = status;
  if (recordFailure !== undefined) {
    // Completed stages are cached; the run itself failed, because its record could not be kept.
    finalStatus = status === 'interrupted' ? status : 'failed';
    record = await writer.amendFinished(finalStatus, failure ?? recordFailure);
  }
  emit({ type: 'run-end', runId, status: finalStatus, durationMs: record.durationMs, runDir: writer.dir });
  return { runId, runDir: writer.dir, status: finalStatus, record, metrics };
}

export async function runPipeline(specFile: string, options: RunOptions): Promise<RunOutcome> {
  return executePipeline(await preparePipeline(specFile, options), options);
}
