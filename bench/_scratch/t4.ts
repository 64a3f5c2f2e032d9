import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../../src/nn/backend/index.js';
await initBackend({ prefer: 'wasm-blas', env: {} });
tf.env().set('IS_TEST', true);
const d = (x: any, y: any) => Math.max(...Array.from(x as Float32Array, (v, i) => Math.abs(v - y[i])));
for (const [tA, tB] of [[false,false],[true,false],[false,true],[true,true]] as const) {
  const a = tf.randomNormal([2, ...(tA ? [65, 7] : [7, 65])], 0, 1, 'float32', 1).arraySync();
  const b = tf.randomNormal([2, ...(tB ? [31, 65] : [65, 31])], 0, 1, 'float32', 2).arraySync();
  const bias = tf.randomNormal([31], 0, 1, 'float32', 3).arraySync();
  const f = () => tf.fused.matMul({ a: tf.tensor(a), b: tf.tensor(b), transposeA: tA, transposeB: tB, bias: tf.tensor(bias) }).dataSync();
  const g = () => tf.add(tf.matMul(tf.tensor(a), tf.tensor(b), tA, tB), tf.tensor(bias)).dataSync();
  await tf.setBackend('cpu'); const cpuF = f(); const cpuG = g();
  await tf.setBackend('wasm'); const wF = f(); const wG = g();
  console.log(tA, tB, 'cpuF-cpuG', d(cpuF, cpuG), 'wF-wG', d(wF, wG), 'wG-cpuG', d(wG, cpuG));
}
