import * as tf from '@tensorflow/tfjs-core';
import { initBackend, currentOverride } from '../../src/nn/backend/index.js';
import { createRequire } from 'node:module';
await initBackend();
console.log(currentOverride('BatchMatMul','wasm')?.fndKernelSet);
const a = tf.randomNormal([1024, 312]); const w = tf.randomNormal([1200, 312]);
for (let r = 0; r < 3; r++) {
  const s = performance.now(); for (let i = 0; i < 5; i++) tf.matMul(a, w, false, true).dispose();
  const ms = (performance.now() - s) / 5; console.log('tf matMul NT', ms.toFixed(1), 'ms', (2*1024*312*1200/ms/1e6).toFixed(1), 'GFLOP/s');
}
const nb = createRequire(import.meta.url)('nblas');
const A = new Float32Array(1024*312).fill(0.5), W = new Float32Array(1200*312).fill(0.25), C = new Float32Array(1024*1200);
for (let r = 0; r < 3; r++) {
  const s = performance.now(); for (let i = 0; i < 5; i++) nb.sgemm(nb.NoTrans, nb.Trans, 1024, 1200, 312, 1, A, 312, W, 312, 0, C, 1200);
  const ms = (performance.now() - s) / 5; console.log('raw sgemm NT', ms.toFixed(1), 'ms', (2*1024*312*1200/ms/1e6).toFixed(1));
}
