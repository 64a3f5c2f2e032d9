import { rm, rmdir } from 'node:fs/promises';
import type { CacheStore } from '../cache/store.js';
import type { CacheEntry } from '../cache/meta.js';
import type { ValidatedStage } from '../spec/validate.js';
import type { PreparedPipeline } from './prepare.js';
import type { PluginCode } from './stage-signature.js';
import type { EngineEvent } from './events.js';
import { confirmDecision, decideStage, historyKey, type Upstream } from './decide.js';
import type { StageEvent } from './context.js';
import { runStageInProcess, runStageInWorker } from './stage-runner.js';
import type { StageJob } from './stage-job.js';
import { FndError } from '../util/errors.js';
import { StorageError, asStorageError } from '../util/fs/index.js';

export interface StageRunResult {
  status: 'ran' | 'cached';
  entry: CacheEntry;
  signature: string;
  durationMs: number;
  /** Why it ran (or "cached"): the first of `reasons`. */
  reason: string;
  /** Every reason it ran (decideStage); empty when restored. */
  reasons: string[];
}

export interface StageExecutionContext {
  prepared: PreparedPipeline;
  cache: CacheStore;
  runId: string;
  seed: number;
  signal: AbortSignal;
  emit(event: EngineEvent): void;
  /** Hashes of plugin source folders, computed once per run. */
  codeHashes: Map<string, Promise<PluginCode>>;
}

/**
 * One stage of a run: compute its signature, restore it from the cache, or run it under the
 * signature's lock and commit its outputs. Two `fnd run`s that need the same stage serialise
 * on the lock; the second then finds the first one's entry.
 */
export async function executeStage(stage: ValidatedStage, upstream: ReadonlyMap<string, Upstream>, run: StageExecutionContext): Promise<StageRunResult> {
  const { prepared, cache } = run;
  const plugin = prepared.registry.loadedPlugin(stage.uses);
  const started = Date.now();
  // decide → lock → confirm under the lock → run or restore → commit.
  const decided = await decideStage({ stage, prepared, upstream, codeHashes: run.codeHashes, runId: run.runId }, cache);
  const { signed } = decided;
  const signature = signed.signature;
  const inputs = signed.inputs!;
  const device = signed.device;

  const result = await cache.withLock(
    signature,
    async (): Promise<StageRunResult> => {
      const decision = await confirmDecision(decided, cache);
      if (decision.action === 'restore') {
        return { status: 'cached', entry: decision.entry!, signature, durationMs: Date.now() - started, reason: 'cached', reasons: [] };
      }
      if (decision.lookup.status === 'corrupt') {
        run.emit({ type: 'warning', stageId: stage.id, message: `cache entry of stage "${stage.id}" is corrupt (${decision.lookup.reason}); running the stage again` });
      }
      const reason = decision.reasons[0]!;
      run.emit({ type: 'stage-start', stageId: stage.id, plugin: stage.uses, device, reason });
      const workDir = await cache.newWorkDir();
      const job: StageJob = {
        stageId: stage.id,
        plugin: stage.uses,
        pluginEntry: plugin.location.entry,
        params: stage.params,
        inputs,
        workDir,
        resumeDir: cache.resumeDir(signature),
        specDir: prepared.paths.specDir,
        projectDir: prepared.paths.projectDir,
        seed: typeof stage.params.seed === 'number' ? stage.params.seed : run.seed,
        device,
        ...(decision.details.environment.backend !== undefined ? { backend: decision.details.environment.backend } : {}),
      };
      const hooks = {
        signal: run.signal,
        onEvent: (event: StageEvent) =>
          run.emit(
            event.type === 'log'
              ? { type: 'stage-log', stageId: stage.id, level: event.level, message: event.message }
              : { type: 'stage-progress', stageId: stage.id, update: event.update },
          ),
        onWarning: (message: string) => run.emit({ type: 'warning', stageId: stage.id, message }),
      };
      try {
        const outcome = device === 'gpu' ? await runStageInWorker(job, hooks) : await runStageInProcess(job, hooks);
        if (run.signal.aborted) throw new Error('interrupted');
        const durationMs = Date.now() - started;
        const entry = await cache
          .commit(signature, workDir, {
            stageId: stage.id,
            plugin: stage.uses,
            details: decision.details,
            metrics: outcome.metrics ?? {},
            summary: outcome.summary,
            durationMs,
          })
          .catch((error: unknown) => {
            const storage = asStorageError(error, (error as NodeJS.ErrnoException).path ?? cache.layout.entryDir(signature));
            if (!(storage instanceof StorageError)) throw error;
            throw new FndError(`stage "${stage.id}" (plugin ${stage.uses}): its outputs could not be stored in the cache: ${storage.message}`, { cause: error });
          });
        await cache.clearResume(signature);
        return { status: 'ran', entry, signature, durationMs, reason, reasons: decision.reasons };
      } finally {
        await rm(workDir, { recursive: true, force: true });
        // A failed attempt that saved no checkpoint leaves no empty resume folder behind.
        await rmdir(job.resumeDir).catch(() => {});
      }
    },
    {
      onWait: (pid) =>
        run.emit({ type: 'stage-log', stageId: stage.id, level: 'info', message: `waiting for another fnd process (pid ${pid}) running the same stage` }),
    },
  );
  if (stage.cache) await cache.recordLast(historyKey(prepared), stage.id, signed.details, signature);
  return result;
}
