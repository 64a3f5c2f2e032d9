import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import initBert from '../../stages/init-bert/index.js';
import train from '../../stages/train/index.js';
import { initBackend } from '../../src/nn/backend/index.js';
import { loadModel } from '../../src/nn/checkpoint/load.js';
import { initModel } from '../../src/nn/bert/init.js';
import type { Artifact } from '../../src/sdk/index.js';
import { artifact, logLines, runStage, syntheticTokens, TINY_CONFIG } from './helpers.js';

let model: Artifact;
let trainSplit: Artifact;
let validation: Artifact;

beforeAll(async () => {
  await initBackend();
  model = (await runStage(initBert, { config: TINY_CONFIG, seed: 1 })).outputs.model!;
  trainSplit = await syntheticTokens(48, 1);
  validation = await syntheticTokens(16, 2);
});

const PARAMS = {
  num_train_epochs: 3,
  per_device_train_batch_size: 8,
  learning_rate: 2e-3,
  warmup_steps: 2,
  weight_decay: 0.01,
  logging_steps: 4,
  load_best_model_at_end: true,
  metric_for_best_model: 'loss',
  seed: 11,
};

describe('resume', () => {
  it('an interrupted run resumes at the next epoch and ends exactly as an uninterrupted one', async () => {
    const inputs = { model, train: trainSplit, validation };
    const full = await runStage(train, PARAMS, inputs);

    const resumeDir = mkdtempSync(join(tmpdir(), 'fnd-train-resume-'));
    const controller = new AbortController();
    await expect(
      runStage(train, PARAMS, inputs, {
        resumeDir,
        signal: controller.signal,
        // The epoch-1 line comes after its evaluation; the checkpoint is written before step 7 checks the signal.
        onEvent: (event) => {
          if (event.type === 'log' && event.message.startsWith('epoch 1/3')) controller.abort();
        },
      }),
    ).rejects.toThrow();
    expect(readFileSync(join(resumeDir, 'latest.json'), 'utf8')).toContain('"epoch": 1');
    expect(readdirSync(resumeDir).filter((f) => f.startsWith('checkpoint-'))).toEqual(['checkpoint-1']);

    const before = tf.memory().numTensors;
    const resumed = await runStage(train, PARAMS, inputs, { resumeDir });
    expect(tf.memory().numTensors).toBe(before);
    const lines = logLines(resumed.events);
    expect(lines).toContain('resuming from the checkpoint of epoch 1 (step 6 of 18)');
    expect(lines.some((l) => l.startsWith('epoch 1/3'))).toBe(false);
    const progress = resumed.events.flatMap((e) => (e.type === 'progress' ? [e.update.current] : []));
    expect(progress[0]).toBe(7);
    expect(resumed.result.metrics!.resumed_from_epoch).toBe(1);

    const read = (run: typeof full) => readFileSync(join(run.outputs.history!.path, 'history.json'), 'utf8');
    expect(read(resumed)).toBe(read(full));
    expect(resumed.result.metrics!.train_loss).toBe(full.result.metrics!.train_loss);
    const weights = (run: typeof full) => readFileSync(join(run.outputs.model!.path, 'model.safetensors'));
    expect(weights(resumed).equals(weights(full))).toBe(true);
    // Only the best and the latest checkpoints are kept.
    const best = JSON.parse(read(full)).best.epoch as number;
    expect(readdirSync(resumeDir).filter((f) => f.startsWith('checkpoint-')).sort()).toEqual([...new Set([`checkpoint-${best}`, 'checkpoint-3'])].sort());
  });

  it('checkpoints from other params are not used', async () => {
    const resumeDir = mkdtempSync(join(tmpdir(), 'fnd-train-resume-'));
    await runStage(train, { ...PARAMS, num_train_epochs: 1 }, { model, train: trainSplit, validation }, { resumeDir });
    expect(existsSync(join(resumeDir, 'latest.json'))).toBe(true);
    const again = await runStage(train, { ...PARAMS, num_train_epochs: 2 }, { model, train: trainSplit, validation }, { resumeDir });
    expect(logLines(again.events).some((l) => l.startsWith('resuming'))).toBe(false);
    expect(again.result.metrics!.total_steps).toBe(12);
  });
});

describe('failures before and during training', () => {
  it('a NaN loss stops training with a message naming the step and epoch', async () => {
    // Poison one weight of the classifier: the first forward pass gives NaN logits.
    const poisoned = initModel({ vocabSize: 100, hiddenSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 64, maxPositionEmbeddings: 32, id2label: { '0': 'fake', '1': 'real' } }, { seed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'fnd-poisoned-'));
    try {
      const w = poisoned.param('classifier.weight');
      const values = (w.dataSync() as Float32Array).slice();
      values[0] = Number.NaN;
      const t = tf.tensor(values, w.shape);
      w.assign(t);
      t.dispose();
      await poisoned.save(dir);
    } finally {
      poisoned.dispose();
    }
    const before = tf.memory().numTensors;
    await expect(runStage(train, { ...PARAMS }, { model: artifact(dir, 'model'), train: trainSplit, validation })).rejects.toThrow(
      /^train: the loss became NaN at step 1 \(epoch 1, learning rate 0\); training diverged: lower learning_rate \(now 0\.002\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a micro-batch that cannot fit the wasm heap before training', async () => {
    const long = await runStage(initBert, { config: { ...TINY_CONFIG, max_position_embeddings: 512 }, seed: 1 });
    const tokens = await syntheticTokens(8, 3, { maxLength: 512 });
    const attempt = runStage(train, { ...PARAMS, per_device_train_batch_size: 2048, eval_strategy: 'no', save_strategy: 'no', load_best_model_at_end: false }, { model: long.outputs.model!, train: tokens });
    if (tf.getBackend() === 'wasm') {
      // 2048 > 8 rows: the check uses the largest micro-batch that can occur (8 × 512 fits).
      await expect(attempt).resolves.toBeDefined();
      const big = await syntheticTokens(512, 3, { maxLength: 512 });
      await expect(
        runStage(train, { ...PARAMS, per_device_train_batch_size: 512, eval_strategy: 'no', save_strategy: 'no', load_best_model_at_end: false }, { model: long.outputs.model!, train: big }),
      ).rejects.toThrow(/^train: per_device_train_batch_size 512 at length 512 needs ~\d+(\.\d)? GiB on the wasm backend.*Use per_device_train_batch_size: \d+ with gradient_accumulation_steps: \d+/);
    } else {
      await expect(attempt).resolves.toBeDefined();
    }
    const saved = await loadModel(long.outputs.model!.path);
    saved.dispose();
  });
});
