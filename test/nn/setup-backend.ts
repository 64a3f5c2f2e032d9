/**
 * Picks the tfjs backend for nn tests: FND_BACKEND=wasm|wasm-blas|cpu (default cpu) so the same
 * tests can be rerun on the backend fnd chooses at run time (wasm-blas: fnd's BLAS and fused
 * kernels, through initBackend as the CLI does).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/nn/backend/index.js';

export async function setupBackend(): Promise<string> {
  const wanted = process.env.FND_BACKEND ?? 'cpu';
  if (wanted === 'wasm-blas') return (await initBackend({ prefer: 'wasm-blas', env: {} })).name;
  if (wanted === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (wanted === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else throw new Error(`FND_BACKEND=${wanted}: the nn tests know "cpu", "wasm" and "wasm-blas"`);
  if (!(await tf.setBackend(wanted))) throw new Error(`tfjs backend ${wanted} failed to initialise`);
  await tf.ready();
  return wanted;
}
