/**
 * Where a TinyBERT training step spends its time: one step, the gradient pass, the AdamW update,
 * and the 25 heaviest tensor kernels (tf.profile). For finding what to fuse next.
 *
 *   node --import tsx bench/profile-train-step.ts [SEQ=128] [BATCH=8]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend/index.js';
import { initModel } from '../src/nn/bert/init.js';
import { createAdamW } from '../src/nn/train/adamw.js';
import { trainStep, computeGradients } from '../src/nn/train/step.js';
const seq = Number(process.argv[2] ?? 128), batch = Number(process.argv[3] ?? 8);
const TINY = { vocabSize: 30522, hiddenSize: 312, numHiddenLayers: 4, numAttentionHeads: 12, intermediateSize: 1200, maxPositionEmbeddings: 512, typeVocabSize: 2, layerNormEps: 1e-12, numLabels: 2 };
await initBackend();
const model = initModel(TINY, { seed: 0 });
const opt = createAdamW(model.params, { lr: 5e-5, weightDecay: 0.01 });
const ids = Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, i) => 1000 + ((b * 7919 + i * 104729) % 29000)));
const data = { inputIds: ids, attentionMask: ids.map(r => r.map(() => 1)), tokenTypeIds: ids.map(r => r.map(() => 0)), labels: ids.map((_, i) => i % 2) };
trainStep(model, opt, data);
let t = performance.now(); trainStep(model, opt, data); console.log('step ms', (performance.now() - t).toFixed(0));
t = performance.now(); const r = computeGradients(model, data); console.log('grads ms', (performance.now() - t).toFixed(0));
t = performance.now(); opt.step(r.grads, {}); console.log('adam ms', (performance.now() - t).toFixed(0));
const info = await tf.profile(() => { computeGradients(model, data); });
const agg = new Map<string, [number, number]>();
for (const k of info.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(k.name, a); }
console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25).map(([n, [ms, c]]) => `${n} ${ms.toFixed(0)}ms x${c}`).join('\n'));
t = performance.now(); const o = model.forward(data); o.logits.dataSync(); console.log('infer ms', (performance.now() - t).toFixed(0));
console.log('rss MiB', Math.round(process.resourceUsage().maxRSS / 1024));
