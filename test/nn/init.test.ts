import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './setup-backend.js';
import { initModel, paramSpecs } from '../../src/nn/index.js';
import { FndError } from '../../src/util/errors.js';

beforeAll(async () => {
  await setupBackend();
});

const small = { vocabSize: 2000, hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 128, maxPositionEmbeddings: 32, numLabels: 3 };

describe('initModel (Hugging Face _init_weights)', () => {
  it('normal(0, 0.02) weights, LayerNorm 1/0, zero biases, zero padding row', () => {
    const model = initModel(small, { seed: 42 });
    const word = model.param('bert.embeddings.word_embeddings.weight').dataSync();
    let sum = 0;
    let sq = 0;
    for (let i = 64; i < word.length; i++) {
      sum += word[i]!;
      sq += word[i]! * word[i]!;
    }
    const n = word.length - 64;
    const mean = sum / n;
    const std = Math.sqrt(sq / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.0005);
    expect(Array.from(word.slice(0, 64)).every((x) => x === 0)).toBe(true); // pad_token_id 0
    const q = Array.from(model.param('bert.encoder.layer.1.attention.self.query.weight').dataSync());
    expect(Math.abs(Math.sqrt(q.reduce((a, x) => a + x * x, 0) / q.length) - 0.02)).toBeLessThan(0.002);
    expect(Array.from(model.param('bert.encoder.layer.0.output.LayerNorm.weight').dataSync()).every((x) => x === 1)).toBe(true);
    for (const name of ['bert.encoder.layer.0.output.LayerNorm.bias', 'classifier.bias', 'bert.pooler.dense.bias']) {
      expect(Array.from(model.param(name).dataSync()).every((x) => x === 0)).toBe(true);
    }
    expect(model.param('classifier.weight').shape).toEqual([3, 64]);
    expect(model.config.id2label).toEqual({ '0': 'LABEL_0', '1': 'LABEL_1', '2': 'LABEL_2' });
    expect(model.numParameters()).toBe(paramSpecs(model.config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
    model.dispose();
  });

  it('is deterministic for a seed and differs across seeds; dispose frees every variable', () => {
    const before = tf.memory().numTensors;
    const a = initModel(small, { seed: 1 });
    const b = initModel(small, { seed: 1 });
    const c = initModel(small, { seed: 2 });
    const w = (m: typeof a) => Array.from(m.param('bert.encoder.layer.0.intermediate.dense.weight').dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    for (const m of [a, b, c]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an impossible config with a clear error', () => {
    expect(() => initModel({ hiddenSize: 30, numAttentionHeads: 4 })).toThrow(FndError);
    expect(() => initModel({ hiddenSize: 30, numAttentionHeads: 4 })).toThrow(/hiddenSize 30 is not a multiple of numAttentionHeads 4/);
  });
});

describe('initModel config fields', () => {
  it('refuses a config.json spelling instead of silently building a BERT-base', () => {
    expect(() => initModel({ hidden_size: 64 } as never, { seed: 1 })).toThrow(/unknown BERT config field "hidden_size"; did you mean "hiddenSize"\?/);
  });
});
