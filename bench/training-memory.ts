/**
 * Measures the wasm heap a TinyBERT training step needs at several (seq, batch) shapes and
 * prints it beside the train stage's up-front estimate (src/training/memory.ts), whose
 * coefficients come from this measurement. Each shape runs in its own process, because the
 * wasm heap only grows.
 *
 *   node --import tsx bench/training-memory.ts            # the table
 *   node --import tsx bench/training-memory.ts 512 8      # one shape, as JSON
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { activeNativeKernels, initBackend } from '../src/nn/backend/index.js';
import { initModel } from '../src/nn/bert/init.js';
import { createAdamW } from '../src/nn/train/adamw.js';
import { trainStep } from '../src/nn/train/step.js';
import { estimateTrainingMemory } from '../src/training/memory.js';

const TINYBERT = { vocabSize: 30522, hiddenSize: 312, numHiddenLayers: 4, numAttentionHeads: 12, intermediateSize: 1200, maxPositionEmbeddings: 512, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1 };
const MiB = 2 ** 20;

async function measure(seq: number, batch: number): Promise<void> {
  const info = await initBackend();
  const model = initModel(TINYBERT, { seed: 0 });
  const optimizer = createAdamW(model.params, { lr: 5e-5, weightDecay: 0.01 });
  const ids = Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, i) => 1000 + ((b * 7919 + i * 104729) % 29000)));
  const data = { inputIds: ids, attentionMask: ids.map((r) => r.map(() => 1)), tokenTypeIds: ids.map((r) => r.map(() => 0)), labels: ids.map((_, i) => i % 2) };
  trainStep(model, optimizer, data);
  trainStep(model, optimizer, data);
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length ?? Number.NaN;
  const kernels = activeNativeKernels() ? 'native' : 'tfjs';
  const shape = { layers: 4, hidden: 312, heads: 12, intermediate: 1200, parameters: model.numParameters(), kernels } as const;
  console.log(JSON.stringify({ backend: info.name, kernels, seq, batch, heapMiB: heap / MiB, estimateMiB: estimateTrainingMemory(shape, batch, seq).total / MiB }));
}

const [seq, batch] = process.argv.slice(2).map(Number);
if (seq && batch) {
  await measure(seq, batch);
} else {
  const self = fileURLToPath(import.meta.url);
  console.log('TinyBERT training step on the wasm heap: measured vs the train stage\'s estimate');
  for (const [s, b] of [[128, 8], [128, 32], [512, 2], [512, 4], [512, 8], [512, 12]] as const) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, String(s), String(b)], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const r = JSON.parse(out) as { backend: string; kernels: string; heapMiB: number; estimateMiB: number };
    console.log(`  seq ${String(s).padStart(3)} batch ${String(b).padStart(2)}: heap ${r.heapMiB.toFixed(0).padStart(5)} MiB, estimate ${r.estimateMiB.toFixed(0).padStart(5)} MiB (${(r.estimateMiB / r.heapMiB).toFixed(2)}x) [${r.backend}, ${r.kernels} kernels]`);
  }
}
