import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './setup-backend.js';
import { initModel, paramSpecs } from '../../src/nn/index.js';
import { FndConfigError, FndError } from '../../src/util/errors.js';

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
  it('takes a Hugging Face config.json object as it is, with the same weights as the camelCase config', () => {
    const json = JSON.parse(JSON.stringify({
      architectures: ['BertForSequenceClassification'], model_type: 'bert', vocab_size: 50, hidden_size: 16,
      num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 8,
      hidden_act: 'gelu', classifier_dropout: null, id2label: { 0: 'fake', 1: 'real', 2: 'satire' },
      label2id: { fake: 0, real: 1, satire: 2 }, torch_dtype: 'float32', transformers_version: '4.46.0',
    }));
    const snake = initModel(json, { seed: 3 });
    const camel = initModel({ vocabSize: 50, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 8, id2label: { 0: 'fake', 1: 'real', 2: 'satire' } }, { seed: 3 });
    expect(snake.config).toEqual(camel.config);
    expect(snake.config.numLabels).toBe(3);
    expect(snake.config.hiddenSize).toBe(16);
    expect(Array.from(snake.param('classifier.weight').dataSync())).toEqual(Array.from(camel.param('classifier.weight').dataSync()));
    snake.dispose();
    camel.dispose();
    const fromLabel2id = initModel({ hidden_size: 16, num_attention_heads: 2, num_hidden_layers: 1, intermediate_size: 32, vocab_size: 50, label2id: { no: 0, yes: 1 } });
    expect(fromLabel2id.config.id2label).toEqual({ '0': 'no', '1': 'yes' });
    fromLabel2id.dispose();
  });

  it('refuses unknown fields with a did-you-mean in the spelling used, and values fnd does not implement', () => {
    expect(() => initModel({ hiden_size: 64 } as never)).toThrow(/unknown BERT config field "hiden_size"; did you mean "hidden_size"\?/);
    expect(() => initModel({ hidenSize: 64 } as never)).toThrow(/unknown BERT config field "hidenSize"; did you mean "hiddenSize"\?/);
    expect(() => initModel({ hidden_size: 64, hiddenSize: 32 } as never)).toThrow(/"hidden_size" and "hiddenSize" name the same field with different values/);
    expect(() => initModel({ model_type: 'roberta' })).toThrow(/model_type is "roberta"; fnd implements BERT/);
    expect(() => initModel({ hidden_act: 'gelu_new' } as never)).toThrow(/hidden_act "gelu_new" is not supported/);
    expect(() => initModel({ hidden_size: '64' } as never)).toThrow(/hidden_size must be a number, got "64"/);
    expect(() => initModel({ classifier_dropout: 0.3 })).toThrow(/classifier_dropout 0.3 differs from hidden_dropout_prob 0.1/);
    expect(() => initModel({ hiden_size: 64 } as never)).toThrow(FndConfigError);
  });
});
