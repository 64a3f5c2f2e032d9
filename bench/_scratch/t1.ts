import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const nblas = require('nblas');
const t0 = Date.now();
await tf.setBackend('wasm');
await tf.ready();
console.log('ready', Date.now() - t0, tf.getBackend(), tf.env().getAsync ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : '', await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
const be: any = tf.backend();
console.log(Object.keys(be.wasm).filter(k=>k.startsWith('HEAP')), be.wasm.HEAPU8.buffer.byteLength);
const a = tf.randomNormal([1024, 312]); const b = tf.randomNormal([312, 1200]);
for (const [ta, tb] of [[false,false],[true,false],[false,true]] as const) {
  const A = ta ? tf.transpose(a) : a; const B = tb ? tf.transpose(b) : b;
  tf.matMul(A, B, ta, tb).dispose();
  const s = performance.now(); for (let i=0;i<3;i++) tf.matMul(A,B,ta,tb).dataSync();
  console.log(ta, tb, ((performance.now()-s)/3).toFixed(1), 'ms', (2*1024*312*1200/((performance.now()-s)/3)/1e6).toFixed(1), 'GFLOPs');
}
console.log(nblas.sgemm);
