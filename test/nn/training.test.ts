import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './setup-backend.js';
import { batchOf, expectAdamWStepsMatch, expected, fixtureDir, maxAbsDiff } from './helpers.js';
import {
  loadModel, createAdamW, trainStep, computeGradients, linearScheduleWithWarmup,
  usesWeightDecay, crossEntropy, clipCoefficient,
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
});
