import { getCancelSignal, getOneMessage, sendMessage } from 'execa';
import type { StageDefinition } from '../sdk/index.js';
import { isUserError } from '../util/errors.js';
import { importModule } from '../plugins/import-module.js';
import { createStageContext } from './context.js';
import type { StageJob, WorkerMessage } from './stage-job.js';
import { gpuBackendAvailable } from './gpu.js';

/** Entry of a stage worker process (`fnd __stage-worker`, started by runStageInWorker). */
export async function workerMain(): Promise<number> {
  const job = (await getOneMessage()) as unknown as StageJob;
  const signal = await getCancelSignal();
  const send = (message: WorkerMessage) => sendMessage(message as never);
  let device = job.device;
  if (device === 'gpu') {
    const gpu = await gpuBackendAvailable();
    if (!gpu.available) {
      device = 'cpu';
      await send({
        type: 'device',
        device,
        warning: `stage "${job.stageId}" asked for a GPU but none is usable (${gpu.reason}); running it on the CPU`,
      });
    } else {
      process.env.FND_BACKEND ??= 'tensorflow-gpu';
    }
  }
  try {
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
