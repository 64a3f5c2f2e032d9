import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './setup-backend.js';
import { batchOf, expectAdamWStepsMatch, expected, fixtureDir, maxAbsDiff } from './helpers.js';
import {
  loadModel, createAdamW, trainStep, computeGradients, fineTune, linearScheduleWithWarmup,
  saveOptimizerState, loadOptimizerState, usesWeightDecay, crossEntropy, clipCoefficient,
} from '../../src/nn/index.js';

beforeAll(async () => {
  await setupBackend();
});

describe('three AdamW steps match torch.optim.AdamW + clip_grad_norm_ + cross-entropy', () => {
  for (const name of ['tiny-2l-32h', 'small-4l-64h']) {
    it(`${name}: loss, grad norm and logits after each step within 1e-4`, async () => {
      expect(expected(name).training!.lr_schedule).toBe('constant');
      await expectAdamWStepsMatch(name);
    });
  }

  it('every trainable weight receives a non-zero gradient', async () => {
    const e = expected('small-4l-64h');
    const model = await loadModel(fixtureDir('small-4l-64h'));
    const before = tf.memory().numTensors;
    const { grads, loss } = computeGradients(model, batchOf(e));
    expect(Math.abs(loss - e.training!.steps[0]!.loss)).toBeLessThan(1e-5);
    expect([...grads.keys()]).toEqual([...model.params.keys()]);
    const zero = [...grads].filter(([, g]) => !g.some((x) => x !== 0)).map(([n]) => n);
    expect(zero).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('micro-batches with accumulated gradients equal one full batch', async () => {
    const e = expected('tiny-2l-32h');
    const full = batchOf(e);
    const half = (lo: number, hi: number) => ({
      inputIds: full.inputIds.slice(lo, hi), attentionMask: full.attentionMask.slice(lo, hi),
      tokenTypeIds: full.tokenTypeIds.slice(lo, hi), labels: full.labels.slice(lo, hi),
    });
    const a = await loadModel(fixtureDir('tiny-2l-32h'));
    const b = await loadModel(fixtureDir('tiny-2l-32h'));
    const ra = trainStep(a, createAdamW(a.params, { lr: 1e-3 }), full);
    const rb = trainStep(b, createAdamW(b.params, { lr: 1e-3 }), [half(0, 1), half(1, 4)]);
    expect(Math.abs(ra.loss - rb.loss)).toBeLessThan(1e-6);
    expect(Math.abs(ra.gradNorm - rb.gradNorm)).toBeLessThan(1e-5);
    const wa = a.param('classifier.weight').dataSync();
    expect(maxAbsDiff(b.param('classifier.weight'), Array.from(wa))).toBeLessThan(1e-6);
    a.dispose();
    b.dispose();
  });
});

describe('training pieces', () => {
  it('linear schedule with warmup is get_linear_schedule_with_warmup', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10, 11].map((s) => linearScheduleWithWarmup(s, 2, 10))).toEqual([0, 0.5, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 0, 0]);
    expect(linearScheduleWithWarmup(0, 0, 4)).toBe(1);
  });

  it('parameter groups: no decay for biases and LayerNorm weights', () => {
    expect(usesWeightDecay('bert.encoder.layer.0.attention.self.query.weight')).toBe(true);
    expect(usesWeightDecay('bert.embeddings.word_embeddings.weight')).toBe(true);
    expect(usesWeightDecay('classifier.bias')).toBe(false);
    expect(usesWeightDecay('bert.encoder.layer.3.output.LayerNorm.weight')).toBe(false);
  });

  it('cross-entropy and clipping coefficient follow torch', () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const loss = crossEntropy(logits, tf.tensor1d([2, 0], 'int32'));
    const l0 = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    expect(Math.abs(loss.dataSync()[0]! - (l0 + Math.log(3)) / 2)).toBeLessThan(1e-6);
    tf.dispose([logits, loss]);
    expect(clipCoefficient(4, 1)).toBeCloseTo(1 / (4 + 1e-6), 12);
    expect(clipCoefficient(0.5, 1)).toBe(1);
  });

  it('fineTune: 3 steps with warmup/decay history, tensors back to start, deterministic', async () => {
    const e = expected('tiny-2l-32h');
    const run = async () => {
      const model = await loadModel(fixtureDir('tiny-2l-32h'));
      const before = tf.memory().numTensors;
      const steps: number[] = [];
      const result = await fineTune({
        model, data: batchOf(e), learningRate: 1e-3, weightDecay: 0.01, maxGradNorm: 1,
        batchSize: 2, maxSteps: 3, warmupSteps: 1, schedule: 'linear', shuffle: true, seed: 5,
        onStep: (log) => { steps.push(log.step); },
      });
      expect(tf.memory().numTensors).toBe(before);
      const w = Array.from(model.param('classifier.weight').dataSync());
      model.dispose();
      return { result, steps, w };
    };
    const first = await run();
    expect(first.steps).toEqual([1, 2, 3]);
    expect(first.result.history.map((h) => h.lr)).toEqual([0, 1e-3, 0.5e-3]);
    expect(first.result.history.map((h) => h.epoch)).toEqual([0, 0, 1]);
    expect(first.result.history.every((h) => Number.isFinite(h.loss) && h.gradNorm > 0 && h.examples === 2)).toBe(true);
    const second = await run();
    expect(second.result.history).toEqual(first.result.history);
    expect(second.w).toEqual(first.w);
  });

  it('optimizer state saved and loaded resumes exactly', async () => {
    const e = expected('tiny-2l-32h');
    const dir = mkdtempSync(join(tmpdir(), 'fnd-opt-'));
    const opts = { data: batchOf(e), learningRate: 1e-3, weightDecay: 0.01, batchSize: 2, maxSteps: 4, warmupSteps: 1, seed: 3 };
    const straight = await loadModel(fixtureDir('tiny-2l-32h'));
    const all = await fineTune({ model: straight, ...opts });

    const first = await loadModel(fixtureDir('tiny-2l-32h'));
    const part = await fineTune({ model: first, ...opts, onStep: () => undefined, signal: AbortSignal.abort() });
    expect(part.steps).toBe(1);
    await first.save(join(dir, 'ckpt'));
    await saveOptimizerState(part.optimizer, join(dir, 'optimizer.safetensors'));
    first.dispose();

    const resumed = await loadModel(join(dir, 'ckpt'));
    const optimizer = createAdamW(resumed.params, { lr: 1e-3, weightDecay: 0.01 });
    await loadOptimizerState(optimizer, join(dir, 'optimizer.safetensors'));
    expect(optimizer.stepCount).toBe(1);
    const rest = await fineTune({ model: resumed, ...opts, optimizer, startStep: 1 });
    expect(rest.history.map((h) => h.step)).toEqual([2, 3, 4]);
    for (let i = 0; i < 3; i++) expect(Math.abs(rest.history[i]!.loss - all.history[i + 1]!.loss)).toBeLessThan(1e-6);
    expect(maxAbsDiff(resumed.param('classifier.weight'), Array.from(straight.param('classifier.weight').dataSync()))).toBeLessThan(1e-6);
    straight.dispose();
    resumed.dispose();
  });
});
