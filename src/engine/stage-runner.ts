import { fileURLToPath } from 'node:url';
import { importModule } from '../plugins/import-module.js';
import type { StageDefinition, StageResult } from '../sdk/index.js';
import { FndError, isUserError } from '../util/errors.js';
import { moduleExtension, runningFromSource } from '../util/package-root.js';
import { createStageContext, type StageEvent } from './context.js';
import { checkSignedBackend } from './environment.js';
import type { StageJob, WorkerMessage } from './stage-job.js';

export interface StageAttemptHooks {
  onEvent(event: StageEvent): void;
  onWarning(message: string): void;
  signal: AbortSignal;
}

/** A failure inside a plugin, tagged with stage id and plugin name (as Vite tags plugin hooks). */
export class StageFailure extends FndError {
  constructor(job: Pick<StageJob, 'stageId' | 'plugin'>, message: string, readonly userError: boolean, cause?: unknown) {
    super(`stage "${job.stageId}" (plugin ${job.plugin}) failed: ${message}`, { exitCode: 1, cause });
  }
}

export async function runStageInProcess(job: StageJob, hooks: StageAttemptHooks): Promise<StageResult> {
  const module = (await importModule(job.pluginEntry)) as { default: StageDefinition<Record<string, unknown>> };
  const ctx = createStageContext({ ...job, signal: hooks.signal, onEvent: hooks.onEvent });
  try {
    checkSignedBackend(job);
    return (await module.default.run(ctx, job.inputs, job.params)) ?? {};
  } catch (error) {
    if (hooks.signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StageFailure(job, message, isUserError(error), error);
  }
}

// The CLI entry of the code this process runs: built JavaScript, or the sources under tsx.
const cliEntry = fileURLToPath(new URL(`../cli/bin${moduleExtension}`, import.meta.url));
// Built: the worker gets this process's Node flags (as execa's default); from source, tsx's loader.
const workerNodeOptions = runningFromSource ? ['--import', 'tsx'] : process.execArgv;

/**
 * Runs a stage in its own Node process (execa, IPC), so that only that process loads a GPU
 * tensor backend and its memory is returned when it ends.
 */
export async function runStageInWorker(job: StageJob, hooks: StageAttemptHooks): Promise<StageResult> {
  // execa is imported here, not at the top: most runs have no GPU stage, and fnd's start-up time matters.
  const { execaNode } = await import('execa');
  const child = execaNode(cliEntry, ['__stage-worker'], {
    nodeOptions: workerNodeOptions,
    ipcInput: JSON.parse(JSON.stringify(job)),
    cancelSignal: hooks.signal,
    gracefulCancel: true,
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    env: { FND_WORKER: '1' },
  });
  let result: StageResult | undefined;
  let failure: WorkerMessage | undefined;
  for await (const raw of child.getEachMessage()) {
    const message = raw as WorkerMessage;
    if (message.type === 'event') hooks.onEvent(message.event);
    else if (message.type === 'device' && message.warning) hooks.onWarning(message.warning);
    else if (message.type === 'result') result = message.result;
    else if (message.type === 'error') failure = message;
  }
  const completed = await child;
  if (hooks.signal.aborted) throw new FndError(`stage "${job.stageId}" interrupted`);
  if (failure?.type === 'error') throw new StageFailure(job, failure.message, failure.userError);
  if (!result) {
    const tail = String(completed.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new StageFailure(job, `worker process exited with code ${completed.exitCode ?? completed.signal}${tail ? `:\n${tail}` : ''}`, false);
  }
  return result;
}
