import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/nn/backend/index.js';
import { initModel } from '../../src/nn/bert/init.js';
import { createAdamW } from '../../src/nn/train/adamw.js';
import { trainStep, computeGradients } from '../../src/nn/train/step.js';
await initBackend();
const B = 8, S = Number(process.argv[2] ?? 128);
const model = initModel({ vocabSize: 30522, hiddenSize: 312, numHiddenLayers: 4, numAttentionHeads: 12, intermediateSize: 1200, numLabels: 2 }, { seed: 0 });
const ids = Array.from({ length: B }, (_, b) => Array.from({ length: S }, (_, i) => 1000 + ((b * 131 + i * 7) % 29000)));
const data = { inputIds: ids, attentionMask: ids.map((r) => r.map(() => 1)), tokenTypeIds: ids.map((r) => r.map(() => 0)), labels: ids.map((_, i) => i % 2) };
const opt = createAdamW(model.params, { lr: 5e-5, weightDecay: 0.01 });
trainStep(model, opt, data);
let t = performance.now(); computeGradients(model, data); console.log('grads ms', performance.now() - t);
t = performance.now(); trainStep(model, opt, data); console.log('trainStep ms', performance.now() - t);
t = performance.now(); const o = model.forward(data); o.logits.dataSync(); console.log('forward ms', performance.now() - t);
const summarize = async (f: () => void, label: string) => {
  const info = await tf.profile(f as any);
  const by = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) { const e = by.get(k.name) ?? { ms: 0, n: 0 }; e.ms += k.kernelTimeMs as number; e.n++; by.set(k.name, e); }
  const rows = [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 18);
  console.log(label, 'total kernel ms', rows.reduce((s, r) => s + r[1].ms, 0).toFixed(0));
  for (const [n, e] of rows) console.log('  ', n.padEnd(22), e.ms.toFixed(1).padStart(8), e.n);
};
await summarize(() => { const o = model.forward(data); o.logits.dataSync(); }, 'forward');
await summarize(() => { computeGradients(model, data); }, 'grads');
