import { rm, rmdir } from 'node:fs/promises';
import type { Artifact, Device } from '../sdk/index.js';
import type { CacheStore } from '../cache/store.js';
import type { CacheEntry } from '../cache/meta.js';
import { explainDifference } from '../hash/signature.js';
import { sha256 } from '../hash/canonical.js';
import type { ValidatedStage } from '../spec/validate.js';
import type { PreparedPipeline } from './prepare.js';
import type { EngineEvent } from './events.js';
import { stageSignature } from './stage-signature.js';
import { runStageInProcess, runStageInWorker } from './stage-runner.js';
import type { StageJob } from './stage-job.js';
import { FndError } from '../util/errors.js';
import { StorageError, asStorageError } from '../util/fs/index.js';

export interface StageRunResult {
  status: 'ran' | 'cached';
  entry: CacheEntry;
  signature: string;
  durationMs: number;
  /** Why it ran (or "cached"). */
  reason: string;
}

export interface StageExecutionContext {
  prepared: PreparedPipeline;
  cache: CacheStore;
  runId: string;
  seed: number;
  signal: AbortSignal;
  emit(event: EngineEvent): void;
  /** Hashes of plugin source folders, computed once per run. */
  codeHashes: Map<string, Promise<string>>;
}

export function stageDevice(stage: ValidatedStage, prepared: PreparedPipeline): Device {
  return stage.device ?? prepared.registry.loadedPlugin(stage.uses).definition.device ?? 'cpu';
}

/** The artifacts a stage reads: the outputs of the upstream stages it is wired to. */
export function stageInputs(stage: ValidatedStage, prepared: PreparedPipeline, upstream: Map<string, CacheEntry>): Record<string, Artifact> {
  const definition = prepared.registry.loadedPlugin(stage.uses).definition;
  const inputs: Record<string, Artifact> = {};
  for (const [port, ref] of Object.entries(stage.inputs)) {
    const entry = upstream.get(ref.stage);
    if (!entry) throw new Error(`internal: input ${port} of ${stage.id} read before ${ref.stage} finished`);
    const outPort = ref.port!;
    inputs[port] = {
      kind: definition.inputs[port]!.kind,
      path: entry.outputDir(outPort),
      hash: entry.outputHash(outPort),
      producer: { stageId: ref.stage, port: outPort },
    };
  }
  return inputs;
}

/**
 * One stage of a run: compute its signature, restore it from the cache, or run it under the
 * signature's lock and commit its outputs. Two `fnd run`s that need the same stage serialise
 * on the lock; the second then finds the first one's entry.
 */
export async function executeStage(stage: ValidatedStage, upstream: Map<string, CacheEntry>, run: StageExecutionContext): Promise<StageRunResult> {
  const { prepared, cache } = run;
  const plugin = prepared.registry.loadedPlugin(stage.uses);
  const inputs = stageInputs(stage, prepared, upstream);
  const device = stageDevice(stage, prepared);
  const identity = await stageSignature({
    plugin,
    params: stage.params,
    inputs,
    device,
    specDir: prepared.paths.specDir,
    codeHashes: run.codeHashes,
  });
  // `cache: false` stages run every time; their outputs still go through the store so that
  // downstream stages read them the same way, under a signature unique to this run.
  const signature = stage.cache ? identity.value : sha256(`${identity.value}:${run.runId}`);
  const previous = await cache.readLast(prepared.specKey, stage.id);
  const reason = stage.cache ? explainDifference(previous?.details, identity.details) : 'cache: false';
  const started = Date.now();

  const restore = async (): Promise<StageRunResult | undefined> => {
    if (!stage.cache) return undefined;
    const found = await cache.lookup(signature);
    if (found.status === 'hit') {
      return { status: 'cached', entry: found.entry, signature, durationMs: Date.now() - started, reason: 'cached' };
    }
    if (found.status === 'corrupt') {
      run.emit({ type: 'warning', stageId: stage.id, message: `cache entry of stage "${stage.id}" is corrupt (${found.reason}); running the stage again` });
    }
    return undefined;
  };

  // Lookups happen under the lock too: a concurrent process may be replacing a corrupt entry.
  const result = await cache.withLock(
      signature,
      async () => {
        const restored = await restore();
        if (restored) return restored;
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
        };
        const hooks = {
          signal: run.signal,
          onEvent: (event: import('./context.js').StageEvent) =>
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
              details: identity.details,
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
          return { status: 'ran' as const, entry, signature, durationMs, reason };
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
  if (stage.cache) await cache.recordLast(prepared.specKey, stage.id, identity.details, signature);
  return result;
}
