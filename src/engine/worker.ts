import { getCancelSignal, getOneMessage, sendMessage } from 'execa';
import type { StageDefinition } from '../sdk/index.js';
import { isUserError } from '../util/errors.js';
import { importModule } from '../plugins/import-module.js';
import { createStageContext } from './context.js';
import { checkSignedBackend } from './environment.js';
import { backendChoiceFor } from '../nn/backend/identity.js';
import type { StageJob, WorkerMessage } from './stage-job.js';

/**
 * Entry of a stage worker process (`fnd __stage-worker`, started by runStageInWorker): the only
 * kind of process that may load a GPU backend, and only for a `device: gpu` stage.
 */
export async function workerMain(): Promise<number> {
  const job = (await getOneMessage()) as unknown as StageJob;
  const signal = await getCancelSignal();
  const send = (message: WorkerMessage) => sendMessage(message as never);
  try {
    // The same choice the stage was signed with (checked below): tensorflow-gpu when a GPU is usable.
    const choice = checkSignedBackend(job) ?? backendChoiceFor(job.device);
    let device = job.device;
    if (device === 'gpu' && choice.name !== 'tensorflow-gpu') {
      device = 'cpu';
      await send({
        type: 'device',
        device,
        warning: `stage "${job.stageId}" asked for a GPU but none is usable (${choice.gpuUnavailable ?? 'tensorflow-gpu unavailable'}); running it on the CPU (${choice.identity})`,
      });
    }
    const module = (await importModule(job.pluginEntry)) as { default: StageDefinition<Record<string, unknown>> };
    const ctx = createStageContext({
      ...job,
      device,
      signal,
      onEvent: (event) => void send({ type: 'event', event }),
    });
    const result = (await module.default.run(ctx, job.inputs, job.params)) ?? {};
    await send({ type: 'result', result });
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await send({ type: 'error', message, userError: isUserError(error), stack: error instanceof Error ? error.stack : undefined });
    return 1;
  }
}
