/**
 * Where a training step and an inference pass spend their time, kernel by kernel, in CPU time (this
 * process's, all threads): unlike tf.profile's wall-clock kernel times it hardly moves when other
 * processes load the machine. Run with FND_NATIVE_THREADS=1 for a clean per-kernel split. What is
 * left after the kernels and the optimizer is tfjs's engine and tape, our JS and the GC.
 *
 *   node --import tsx bench/profile-train-step.ts [SEQ=128] [BATCH=8] [--demo] [--steps N]
 *
 * Default model: TinyBERT's shape; --demo: pipelines/demo.yaml's (2 layers, hidden 64, batch 32).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend/index.js';
import { initModel } from '../src/nn/bert/init.js';
import { createAdamW } from '../src/nn/train/adamw.js';
import { trainStep } from '../src/nn/train/step.js';

const demo = process.argv.includes('--demo');
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--steps');
const seq = Number(positional[0] ?? 128);
const batch = Number(positional[1] ?? (demo ? 32 : 8));
const stepsAt = process.argv.indexOf('--steps');
const steps = stepsAt >= 0 ? Number(process.argv[stepsAt + 1]) : 5;
const config = demo
  ? { vocabSize: 30522, hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 256, maxPositionEmbeddings: 128, typeVocabSize: 2, layerNormEps: 1e-12, numLabels: 2 }
  : { vocabSize: 30522, hiddenSize: 312, numHiddenLayers: 4, numAttentionHeads: 12, intermediateSize: 1200, maxPositionEmbeddings: 512, typeVocabSize: 2, layerNormEps: 1e-12, numLabels: 2 };

const info = await initBackend();
const model = initModel(config, { seed: 0 });
const optimizer = createAdamW(model.params, { lr: 1e-3, weightDecay: 0.01 });
const ids = Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, i) => 1000 + ((b * 7919 + i * 104729) % 29000)));
const data = { inputIds: ids, attentionMask: ids.map((r) => r.map(() => 1)), tokenTypeIds: ids.map((r) => r.map(() => 0)), labels: ids.map((_, i) => i % 2) };

// CPU time per kernel: every kernel registered for the backend, wrapped (outermost call only).
const perKernel = new Map<string, { us: number; calls: number }>();
let depth = 0;
for (const config of tf.getKernelsForBackend(tf.getBackend())) {
  const original = config.kernelFunc;
  (config as { kernelFunc: typeof original }).kernelFunc = ((args: Parameters<typeof original>[0]) => {
    if (depth++ > 0) {
      try { return original(args); } finally { depth--; }
    }
    const start = process.cpuUsage();
    try {
      return original(args);
    } finally {
      depth--;
      const used = process.cpuUsage(start);
      const entry = perKernel.get(config.kernelName) ?? { us: 0, calls: 0 };
      entry.us += used.user + used.system;
      entry.calls++;
      perKernel.set(config.kernelName, entry);
    }
  }) as typeof original;
}
let optimizerUs = 0;
const step = optimizer.step.bind(optimizer);
optimizer.step = (grads, options) => {
  const start = process.cpuUsage();
  step(grads, options);
  const used = process.cpuUsage(start);
  optimizerUs += used.user + used.system;
};
const infer = () => {
  const out = model.forward(data);
  out.logits.dataSync();
  tf.dispose([out.logits, out.pooledOutput, out.lastHiddenState]);
};

function report(label: string, run: () => void, withOptimizer: boolean): void {
  perKernel.clear();
  optimizerUs = 0;
  const wall = performance.now();
  const start = process.cpuUsage();
  for (let i = 0; i < steps; i++) run();
  const used = process.cpuUsage(start);
  const ms = (us: number) => us / 1000 / steps;
  const total = ms(used.user + used.system);
  const kernels = ms([...perKernel.values()].reduce((a, e) => a + e.us, 0));
  const opt = withOptimizer ? ms(optimizerUs) : 0;
  console.log(`${label}: ${total.toFixed(1)} ms CPU per step (${((performance.now() - wall) / steps).toFixed(1)} ms wall): ` +
    `kernels ${kernels.toFixed(1)}${withOptimizer ? `, optimizer ${opt.toFixed(1)}` : ''}, the rest (engine, tape, JS, GC) ${(total - kernels - opt).toFixed(1)}`);
  for (const [name, e] of [...perKernel].sort((a, b) => b[1].us - a[1].us).slice(0, 15)) {
    console.log(`  ${name.padEnd(24)} ${ms(e.us).toFixed(2).padStart(8)} ms  x${e.calls / steps}`);
  }
}

console.log(`${demo ? 'demo model' : 'TinyBERT'}, batch ${batch}, seq ${seq}, backend ${info.name}, ${info.threads ?? 1} thread(s)`);
trainStep(model, optimizer, data, { maxGradNorm: 1 });
infer();
report('train step (forward + backward + clipping + AdamW)', () => trainStep(model, optimizer, data, { maxGradNorm: 1 }), true);
report('inference', infer, false);
model.dispose();
