import { cp, readdir } from 'node:fs/promises';
import { relative } from 'node:path';
import { stringify } from 'yaml';
import { CacheStore } from '../cache/store.js';
import type { CacheEntry } from '../cache/meta.js';
import { newRunId } from '../runs/id.js';
import { createRunFolder, type FinishedRunStatus, type RunMetrics, type RunRecord, type RunWriter } from '../runs/record.js';
import type { ValidatedPipeline } from '../spec/validate.js';
import { isUserError } from '../util/errors.js';
import { collectEnvironment } from './environment.js';
import type { EngineEvent, Reporter } from './events.js';
import { executeStage, type StageExecutionContext } from './execute-stage.js';
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

async function copyExports(entry: CacheEntry, runDir: string): Promise<void> {
  const names = await readdir(entry.exportsDir).catch(() => [] as string[]);
  for (const name of names) await cp(`${entry.exportsDir}/${name}`, `${runDir}/${name}`, { recursive: true });
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
  return error instanceof Error ? error.message : String(error);
}

/** Runs an already prepared pipeline: the scheduler, the cache and the run record. */
export async function executePipeline(prepared: PreparedPipeline, options: RunOptions): Promise<RunOutcome> {
  const { pipeline, paths } = prepared;
  const cache = new CacheStore(paths.cacheDir);
  await cache.cleanTmp();
  const started = Date.now();
  const stageById = new Map(pipeline.stages.map((stage) => [stage.id, stage]));
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
  const done = new Map<string, CacheEntry>();
  const metrics: RunMetrics = {};
  const pending = new Set(pipeline.order);
  const running = new Map<string, Promise<void>>();
  const jobs = Math.max(1, options.jobs ?? 1);
  let failure: string | undefined;

  const start = (stageId: string) => {
    const stage = stageById.get(stageId)!;
    pending.delete(stageId);
    const task = (async () => {
      try {
        const result = await executeStage(stage, done, context);
        done.set(stageId, result.entry);
        if (Object.keys(result.entry.meta.metrics).length > 0) metrics[stageId] = result.entry.meta.metrics;
        await copyExports(result.entry, writer.dir);
        await writer.updateStage(stageId, {
          plugin: stage.uses,
          status: result.status,
          signature: result.signature,
          durationMs: result.durationMs,
          ...(result.status === 'ran' ? { reason: result.reason } : {}),
        });
        emit({ type: 'stage-end', stageId, status: result.status, durationMs: result.durationMs, summary: result.entry.meta.summary, reason: result.reason });
      } catch (error) {
        const interrupted = controller.signal.aborted;
        const message = interrupted ? 'interrupted' : firstLine(error);
        if (!interrupted) failure ??= message;
        if (!interrupted && !isUserError(error) && error instanceof Error && error.stack) {
          emit({ type: 'stage-log', stageId, level: 'debug', message: error.stack });
        }
        await writer.updateStage(stageId, { plugin: stage.uses, status: 'failed', signature: '', durationMs: 0, error: message });
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
    await writer.updateStage(stageId, { plugin: stage.uses, status: 'skipped', signature: '', durationMs: 0, reason });
    emit({ type: 'stage-end', stageId, status: 'skipped', durationMs: 0, reason });
  }
  options.signal?.removeEventListener('abort', onAbort);
  const record = await writer.finishRun(status, metrics, {
    durationMs: Date.now() - started,
    ...(status === 'failed' ? { error: failure } : status === 'interrupted' ? { error: 'interrupted by the user' } : {}),
  });
  await writeRunReport(writer.dir, record, metrics);
  emit({ type: 'run-end', runId, status, durationMs: record.durationMs, runDir: writer.dir });
  return { runId, runDir: writer.dir, status, record, metrics };
}

export async function runPipeline(specFile: string, options: RunOptions): Promise<RunOutcome> {
  return executePipeline(await preparePipeline(specFile, options), options);
}
