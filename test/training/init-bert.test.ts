import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import initBert, { resolveLabels } from '../../stages/init-bert/index.js';
import { hashFile } from '../../src/hash/files.js';
import { loadModel } from '../../src/nn/checkpoint/load.js';
import { initBackend } from '../../src/nn/backend/index.js';
import { runStage, TINY_CONFIG, logLines } from './helpers.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/bert/tinybert-style-4l-64h');

function projectWithModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-init-bert-'));
  cpSync(FIXTURE, join(dir, 'tinybert'), { recursive: true });
  writeFileSync(join(dir, 'tinybert', 'fnd.json'), '{"text": "prepared"}\n');
  return dir;
}

beforeAll(async () => {
  await initBackend();
});

describe('init-bert from a TinyBERT-style folder', () => {
  it('reports unused and newly initialised tensors and writes a save_pretrained folder with the labels', async () => {
    const project = projectWithModel();
    const before = tf.memory().numTensors;
    const run = await runStage(initBert, { model: 'tinybert', seed: 5 }, {}, { specDir: project });
    expect(tf.memory().numTensors).toBe(before);
    const metrics = run.result.metrics!;
    expect(metrics.unused).toEqual([
      ...[0, 1, 2, 3, 4].flatMap((i) => [`fit_denses.${i}.weight`, `fit_denses.${i}.bias`]),
      'cls.predictions.bias',
      'cls.predictions.transform.dense.weight',
      'cls.predictions.transform.dense.bias',
    ]);
    expect(metrics.newly_initialized).toEqual(['classifier.weight', 'classifier.bias']);
    expect(metrics.parameters).toBe(161730);
    expect(logLines(run.events).join('\n')).toMatch(/13 checkpoint tensor\(s\) not used.*fit_denses\.0\.weight/);
    expect(logLines(run.events).join('\n')).toMatch(/2 tensor\(s\) newly initialised \(seed 5\): classifier\.weight, classifier\.bias/);

    const out = run.outputs.model!.path;
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    // No id2label and no data input: transformers' placeholders (names come from the data when wired).
    expect(config).toMatchObject({ num_labels: 2, id2label: { '0': 'LABEL_0', '1': 'LABEL_1' }, label2id: { LABEL_0: 0, LABEL_1: 1 }, num_hidden_layers: 4, hidden_size: 64 });
    expect(readFileSync(join(out, 'fnd.json'), 'utf8')).toBe('{"text": "prepared"}\n');

    // The output loads completely, with the checkpoint's encoder weights unchanged.
    const saved = await loadModel(out);
    const source = await loadModel(join(project, 'tinybert'));
    try {
      expect(saved.loadReport!.newlyInitialized).toEqual([]);
      const name = 'bert.encoder.layer.3.output.dense.weight';
      expect(Array.from(saved.param(name).dataSync())).toEqual(Array.from(source.param(name).dataSync()));
    } finally {
      saved.dispose();
      source.dispose();
    }
  });

  it('fingerprints the folder content, so replacing the weights reruns it', async () => {
    const project = projectWithModel();
    const ctx = { resolvePath: (p: string) => resolve(project, p), hashFile };
    const first = await initBert.fingerprint!({ model: 'tinybert', num_labels: 2, id2label: { '0': 'fake', '1': 'real' } }, ctx);
    expect(Object.keys(first).sort()).toEqual(['model/config.json', 'model/fnd.json', 'model/pytorch_model.bin']);
    writeFileSync(join(project, 'tinybert', 'model.safetensors'), 'weights v1');
    const second = await initBert.fingerprint!({ model: 'tinybert', num_labels: 2, id2label: { '0': 'fake', '1': 'real' } }, ctx);
    writeFileSync(join(project, 'tinybert', 'model.safetensors'), 'weights v2');
    const third = await initBert.fingerprint!({ model: 'tinybert', num_labels: 2, id2label: { '0': 'fake', '1': 'real' } }, ctx);
    expect(second['model/model.safetensors']).toBeDefined();
    expect(third['model/model.safetensors']).not.toBe(second['model/model.safetensors']);
    expect(third['model/pytorch_model.bin']).toBe(first['model/pytorch_model.bin']);
    expect(await initBert.fingerprint!({ config: TINY_CONFIG, num_labels: 2, id2label: { '0': 'fake', '1': 'real' } }, ctx)).toEqual({});
  });
});

describe('init-bert from a config', () => {
  it('is deterministic for a seed, and a different seed gives different weights', async () => {
    const a = await runStage(initBert, { config: TINY_CONFIG, seed: 1 });
    const b = await runStage(initBert, { config: TINY_CONFIG, seed: 1 });
    const c = await runStage(initBert, { config: TINY_CONFIG, seed: 2 });
    const bytes = (r: typeof a) => readFileSync(join(r.outputs.model!.path, 'model.safetensors'));
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
    expect(a.result.metrics).toMatchObject({ source: 'config', layers: 1, hidden_size: 32, unused: [], newly_initialized: [] });
    // 100×32 + 32×32 + 2×32 + 2×32 embeddings, one layer, pooler, classifier.
    const layer = 4 * (32 * 32 + 32) + 2 * 64 + (64 * 32 + 64) + (32 * 64 + 32);
    expect(a.result.metrics!.parameters).toBe(100 * 32 + 32 * 32 + 2 * 32 + 64 + layer + 32 * 32 + 32 + 2 * 32 + 2);
  });

  it('takes num_labels with custom label names, and refuses a mismatch or an invalid config', async () => {
    const run = await runStage(initBert, { config: TINY_CONFIG, num_labels: 3, id2label: { '0': 'a', '1': 'b', '2': 'c' }, seed: 1 });
    expect(JSON.parse(readFileSync(join(run.outputs.model!.path, 'config.json'), 'utf8'))).toMatchObject({ num_labels: 3, label2id: { a: 0, b: 1, c: 2 } });
    expect(resolveLabels({ num_labels: 3 })).toEqual({ '0': 'LABEL_0', '1': 'LABEL_1', '2': 'LABEL_2' });
    expect(() => resolveLabels({ num_labels: 3, id2label: { '0': 'x', '1': 'y' } })).toThrow(/id2label has 2 labels but num_labels is 3/);
    // One source of truth: the data's class names, unless id2label is given, which must then agree.
    const data = { names: { '0': 'fake', '1': 'real' }, what: 'the data' };
    expect(resolveLabels({}, data)).toEqual({ '0': 'fake', '1': 'real' });
    expect(resolveLabels({ id2label: { '0': 'fake', '1': 'real' } }, data)).toEqual({ '0': 'fake', '1': 'real' });
    expect(resolveLabels({ id2label: { '0': 'LABEL_0', '1': 'LABEL_1' } }, data)).toEqual({ '0': 'fake', '1': 'real' });
    expect(() => resolveLabels({ id2label: { '0': 'real', '1': 'fake' } }, data)).toThrow(
      'init-bert: class names disagree (class 0 is "real" in one and "fake" in the other): init-bert\'s id2label says {0 real, 1 fake} but the data says {0 fake, 1 real}',
    );
    expect(() => resolveLabels({ id2label: { '0': 'fake', '1': 'real', '2': 'satire' } }, data)).toThrow('class names disagree (3 classes against 2)');
    expect(() => resolveLabels({ num_labels: 3 }, data)).toThrow('init-bert: num_labels is 3 but the data has 2 classes (0 fake, 1 real)');
    await expect(runStage(initBert, { config: { ...TINY_CONFIG, hidden_size: 30, num_attention_heads: 4 }, seed: 1 })).rejects.toThrow(
      /init-bert config: num_attention_heads 4 does not divide hidden_size 30/,
    );
    await expect(runStage(initBert, { seed: 1 })).rejects.toThrow(/give `model` .* or `config`/);
  });
});
