/**
 * Picks the tfjs backend for nn tests: FND_BACKEND=wasm|cpu (default cpu) so the same tests can
 * be rerun on the backend fnd chooses at run time.
 */
import * as tf from '@tensorflow/tfjs-core';

export async function setupBackend(): Promise<string> {
  const wanted = process.env.FND_BACKEND ?? 'cpu';
  if (wanted === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (wanted === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else throw new Error(`FND_BACKEND=${wanted}: the nn tests know "cpu" and "wasm"`);
  if (!(await tf.setBackend(wanted))) throw new Error(`tfjs backend ${wanted} failed to initialise`);
  await tf.ready();
  return wanted;
}
