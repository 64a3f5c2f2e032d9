import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './setup-backend.js';
import { batchOf, expected, fixtureDir, maxAbsDiff } from './helpers.js';
import { loadModel } from '../../src/nn/index.js';

beforeAll(async () => {
  await setupBackend();
});

describe('forward parity with PyTorch (BertForSequenceClassification math)', () => {
  for (const name of ['tiny-2l-32h', 'small-4l-64h']) {
    it(`${name}: logits, pooled output and hidden states within 1e-5`, async () => {
      const e = expected(name);
      const model = await loadModel(fixtureDir(name));
      expect(model.loadReport).toEqual({ newlyInitialized: [], unused: [], ignored: [] });
      const before = tf.memory().numTensors;
      const out = model.forward(batchOf(e));
      const first4 = tf.slice(out.lastHiddenState, [0, 0, 0], [-1, -1, 4]);
      expect(maxAbsDiff(out.logits, e.logits)).toBeLessThan(1e-5);
      expect(maxAbsDiff(out.pooledOutput, e.pooled_output)).toBeLessThan(1e-5);
      expect(maxAbsDiff(first4, e.last_hidden_state_first4)).toBeLessThan(1e-5);
      expect(out.lastHiddenState.shape).toEqual([4, 16, model.config.hiddenSize]);
      tf.dispose([out, first4]);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it('tinybert-style: reports unused and newly initialised tensors, matches small-4l-64h', async () => {
    const e = expected('small-4l-64h');
    const model = await loadModel(fixtureDir('tinybert-style-4l-64h'));
    const report = model.loadReport!;
    expect(report.newlyInitialized).toEqual(['classifier.weight', 'classifier.bias']);
    expect(report.unused).toEqual([
      ...[0, 1, 2, 3, 4].flatMap((i) => [`fit_denses.${i}.weight`, `fit_denses.${i}.bias`]),
      'cls.predictions.bias',
      'cls.predictions.transform.dense.weight',
      'cls.predictions.transform.dense.bias',
    ]);
    // TinyBERT's config has no num_labels / layer_norm_eps: HF defaults.
    expect(model.config.numLabels).toBe(2);
    expect(model.config.layerNormEps).toBe(1e-12);
    const out = model.forward(batchOf(e));
    const first4 = tf.slice(out.lastHiddenState, [0, 0, 0], [-1, -1, 4]);
    expect(maxAbsDiff(out.pooledOutput, expected('tinybert-style-4l-64h').pooled_output)).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.pooledOutput, e.pooled_output)).toBeLessThan(1e-5);
    expect(maxAbsDiff(first4, e.last_hidden_state_first4)).toBeLessThan(1e-5);
    tf.dispose([out, first4]);
    model.dispose();
  });

  it('accepts flat Int32Array inputs and tensors, defaults mask to ones and token types to zeros', async () => {
    const e = expected('tiny-2l-32h');
    const model = await loadModel(fixtureDir('tiny-2l-32h'));
    const row = e.inputs.input_ids[0]!; // the unpadded row (length 16) with token types
    const a = model.forward({ inputIds: [row], tokenTypeIds: [e.inputs.token_type_ids[0]!] });
    const idsT = tf.tensor2d([row], [1, 16], 'int32');
    const b = model.forward({
      inputIds: idsT,
      attentionMask: { data: new Int32Array(16).fill(1), shape: [1, 16] },
      tokenTypeIds: { data: Int32Array.from(e.inputs.token_type_ids[0]!), shape: [1, 16] },
    });
    expect(maxAbsDiff(a.logits, [e.logits![0]])).toBeLessThan(1e-5);
    expect(maxAbsDiff(b.logits, [e.logits![0]])).toBeLessThan(1e-5);
    tf.dispose([a, b, idsT]);
    expect(() => model.forward({ inputIds: [[1, 2], [3]] })).toThrow(/row 1 has 1 ids but row 0 has 2/);
    expect(() => model.forward({ inputIds: [[1, 999]] })).toThrow(/inputIds\[0\]\[1\] = 999 is outside \[0, 128\)/);
    expect(() => model.forward({ inputIds: [new Array(65).fill(1)] })).toThrow(/sequence length 65 exceeds the model's max_position_embeddings 64/);
    model.dispose();
  });

  it('dropout only in training mode, reproducible from the dropout seed', async () => {
    const e = expected('tiny-2l-32h');
    const model = await loadModel(fixtureDir('tiny-2l-32h'));
    (model.config as { hiddenDropoutProb: number }).hiddenDropoutProb = 0.1;
    const evalOut = model.forward(batchOf(e));
    expect(maxAbsDiff(evalOut.logits, e.logits)).toBeLessThan(1e-5);
    model.setDropoutSeed(7);
    const t1 = model.forward(batchOf(e), { training: true });
    model.setDropoutSeed(7);
    const t2 = model.forward(batchOf(e), { training: true });
    expect(maxAbsDiff(t1.logits, e.logits)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(t1.logits, Array.from(t2.logits.dataSync()))).toBe(0);
    tf.dispose([evalOut, t1, t2]);
    model.dispose();
  });
});
