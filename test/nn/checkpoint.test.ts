import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './setup-backend.js';
import { FIXTURES, fixtureDir, maxAbsDiff } from './helpers.js';
import { loadModel, readTorchBin, readSafetensors, writeSafetensors, initModel } from '../../src/nn/index.js';
import { toFloat32 } from '../../src/nn/checkpoint/tensor.js';
import { FndError } from '../../src/util/errors.js';

beforeAll(async () => {
  await setupBackend();
});

const tmp = () => mkdtempSync(join(tmpdir(), 'fnd-ckpt-'));

function bin(name: string) {
  const file = join(fixtureDir(name), 'pytorch_model.bin');
  return readTorchBin(new Uint8Array(readFileSync(file)), file);
}

/** A pickle (protocol 2) calling `module.name(arg)`, zipped the way torch.save lays out files. */
function evilCheckpoint(module: string, name: string, arg: string): Uint8Array {
  const enc = new TextEncoder();
  const argBytes = enc.encode(arg);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, argBytes.length, true);
  const pkl = new Uint8Array([
    0x80, 0x02, 0x63, ...enc.encode(`${module}\n${name}\n`), 0x58, ...len, ...argBytes, 0x85, 0x52, 0x2e,
  ]);
  return zipSync({ 'archive/data.pkl': pkl, 'archive/version': enc.encode('3\n') }, { level: 0 });
}

describe('restricted unpickler', () => {
  it('reads strided, offset, float16, bfloat16, int64, Parameter and OrderedDict-with-metadata tensors', () => {
    const file = join(FIXTURES, 'torch-pickle', 'variants.bin');
    const want = JSON.parse(readFileSync(join(FIXTURES, 'torch-pickle', 'variants.json'), 'utf8')) as Record<string, unknown> & { _shapes: Record<string, number[]> };
    const sd = readTorchBin(new Uint8Array(readFileSync(file)), file);
    expect([...sd.keys()]).toEqual(['weight', 'bias', 'transposed', 'offset_slice', 'half', 'bfloat', 'ids', 'param']);
    for (const [name, t] of sd) {
      expect(t.shape).toEqual(want._shapes[name]);
      if (name === 'ids') {
        expect(t.dtype).toBe('I64');
        expect(Array.from(new BigInt64Array(t.bytes.slice().buffer), Number)).toEqual([0, 1, 2, 3, 4]);
      } else {
        expect(maxAbsDiff(toFloat32(t), want[name])).toBe(0);
      }
    }
    expect(sd.get('half')!.dtype).toBe('F16');
    expect(sd.get('bfloat')!.dtype).toBe('BF16');
  });

  it('refuses a pickle that references os.system, naming it', async () => {
    const bytes = evilCheckpoint('os', 'system', 'echo pwned');
    expect(() => readTorchBin(bytes, 'evil/pytorch_model.bin')).toThrow(FndError);
    expect(() => readTorchBin(bytes, 'evil/pytorch_model.bin')).toThrow(
      'refusing to load evil/pytorch_model.bin: pickle references os.system; only tensor state dicts are allowed',
    );
    // Through loadModel too, from a folder.
    const dir = tmp();
    copyFileSync(join(fixtureDir('tiny-2l-32h'), 'config.json'), join(dir, 'config.json'));
    writeFileSync(join(dir, 'pytorch_model.bin'), bytes);
    await expect(loadModel(dir)).rejects.toThrow(/pickle references os\.system/);
    expect(() => readTorchBin(evilCheckpoint('builtins', 'eval', '1'), 'x.bin')).toThrow(/pickle references builtins\.eval/);
    expect(() => readTorchBin(evilCheckpoint('torch', 'load', '1'), 'x.bin')).toThrow(/pickle references torch\.load/);
  });

  it('refuses a legacy (non-zip) checkpoint and a truncated one with clear messages', () => {
    expect(() => readTorchBin(new Uint8Array([0x80, 0x02, 0x8a, 0x0a]), 'old.bin')).toThrow(/legacy \(pre-1\.6\) format/);
    const good = readFileSync(join(fixtureDir('tiny-2l-32h'), 'pytorch_model.bin'));
    expect(() => readTorchBin(new Uint8Array(good.subarray(0, 5000)), 'cut.bin')).toThrow(/cut\.bin/);
  });
});

describe('loading', () => {
  it('shape mismatch names the tensor and both shapes', async () => {
    await expect(loadModel(fixtureDir('small-4l-64h'), { numLabels: 3 })).rejects.toThrow(
      /tensor classifier\.weight has shape \[2, 64\] in the checkpoint but the model expects \[3, 64\]/,
    );
  });

  it('accepts names without the bert. prefix and LayerNorm gamma/beta, from safetensors', async () => {
    const sd = bin('small-4l-64h');
    const renamed = new Map([...sd].map(([k, v]) => [k.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'), v]));
    renamed.set('embeddings.position_ids', { dtype: 'I64', shape: [1, 64], bytes: new Uint8Array(64 * 8) });
    const dir = tmp();
    copyFileSync(join(fixtureDir('small-4l-64h'), 'config.json'), join(dir, 'config.json'));
    await writeSafetensors(join(dir, 'model.safetensors'), renamed, { format: 'pt' });
    const model = await loadModel(dir);
    expect(model.loadReport).toEqual({ newlyInitialized: [], unused: [], ignored: ['embeddings.position_ids'] });
    for (const [name, raw] of sd) expect(maxAbsDiff(model.param(name), Array.from(toFloat32(raw)))).toBe(0);
    model.dispose();
  });

  it('labels: id2label from options, numLabels override resets names', async () => {
    const a = await loadModel(fixtureDir('tinybert-style-4l-64h'), { id2label: { '0': 'fake', '1': 'real', '2': 'satire' } });
    expect(a.config.numLabels).toBe(3);
    expect(a.param('classifier.weight').shape).toEqual([3, 64]);
    a.dispose();
    const b = await loadModel(fixtureDir('tinybert-style-4l-64h'), { numLabels: 4 });
    expect(b.config.id2label).toEqual({ '0': 'LABEL_0', '1': 'LABEL_1', '2': 'LABEL_2', '3': 'LABEL_3' });
    b.dispose();
    const c = await loadModel(fixtureDir('small-4l-64h'));
    expect(c.config.id2label).toEqual({ '0': 'fake', '1': 'real' });
    c.dispose();
  });

  it('a Hub id resolves through the Hugging Face cache layout; offline and not cached is one clear message', async () => {
    const cache = tmp();
    const commit = 'a'.repeat(40);
    const snap = join(cache, 'models--org--tiny-bert', 'snapshots', commit);
    mkdirSync(snap, { recursive: true });
    mkdirSync(join(cache, 'models--org--tiny-bert', 'refs'));
    writeFileSync(join(cache, 'models--org--tiny-bert', 'refs', 'main'), commit);
    for (const f of ['config.json', 'pytorch_model.bin']) copyFileSync(join(fixtureDir('tiny-2l-32h'), f), join(snap, f));
    const model = await loadModel('org/tiny-bert', { env: { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' }, cwd: cache });
    expect(model.config.numHiddenLayers).toBe(2);
    model.dispose();
    await expect(loadModel('org/absent', { env: { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' }, cwd: cache })).rejects.toThrow(
      /"org\/absent" is neither a local path .* nor in the Hugging Face cache .*models--org--absent/,
    );
  });

  it('missing folder / weights / bad config give one clear message', async () => {
    await expect(loadModel('./no/such/folder')).rejects.toThrow(/model path not found: .*no\/such\/folder/);
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), '{}');
    await expect(loadModel(dir)).rejects.toThrow(/no model weights in .*: expected model\.safetensors or pytorch_model\.bin/);
    writeFileSync(join(dir, 'config.json'), '{"hidden_size": 64, "num_attention_heads": 5}');
    copyFileSync(join(fixtureDir('tiny-2l-32h'), 'pytorch_model.bin'), join(dir, 'pytorch_model.bin'));
    await expect(loadModel(dir)).rejects.toThrow(/config\.json: num_attention_heads 5 does not divide hidden_size 64/);
    writeFileSync(join(dir, 'config.json'), '{"model_type": "roberta"}');
    await expect(loadModel(dir)).rejects.toThrow(/model_type is "roberta"; fnd implements BERT/);
    writeFileSync(join(dir, 'config.json'), '{"hidden_act": "gelu_new"}');
    await expect(loadModel(dir)).rejects.toThrow(/hidden_act "gelu_new" is not supported/);
  });
});

describe('saving', () => {
  it('load → save → load keeps every tensor bit for bit, writes HF config and safetensors', async () => {
    const original = bin('tinybert-style-4l-64h');
    const model = await loadModel(fixtureDir('tinybert-style-4l-64h'), { id2label: { '0': 'fake', '1': 'real' } });
    const saved = model.stateDict();
    const dir = join(tmp(), 'model');
    let extraCalledWith = '';
    await model.save(dir, { extraFiles: (d) => { extraCalledWith = d; } });
    expect(extraCalledWith).toBe(dir);
    model.dispose();

    const st = await readSafetensors(join(dir, 'model.safetensors'));
    expect(st.metadata).toEqual({ format: 'pt' });
    expect([...st.tensors.values()].every((t) => t.dtype === 'F32')).toBe(true);
    for (const [name, data] of saved) {
      const raw = st.tensors.get(name)!;
      expect(Buffer.from(raw.bytes).equals(Buffer.from(data.buffer, data.byteOffset, data.byteLength))).toBe(true);
    }
    // The checkpoint's own tensors survive unchanged (gamma → weight renamed).
    const gamma = original.get('bert.encoder.layer.2.output.LayerNorm.gamma')!;
    expect(Buffer.from(st.tensors.get('bert.encoder.layer.2.output.LayerNorm.weight')!.bytes).equals(Buffer.from(gamma.bytes))).toBe(true);

    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'bert', architectures: ['BertForSequenceClassification'], hidden_size: 64, num_hidden_layers: 4,
      num_attention_heads: 4, intermediate_size: 128, vocab_size: 300, max_position_embeddings: 64, type_vocab_size: 2,
      hidden_act: 'gelu', layer_norm_eps: 1e-12, id2label: { '0': 'fake', '1': 'real' }, label2id: { fake: 0, real: 1 },
    });

    const again = await loadModel(dir);
    expect(again.loadReport).toEqual({ newlyInitialized: [], unused: [], ignored: [] });
    for (const [name, data] of saved) {
      const back = again.param(name).dataSync() as Float32Array;
      expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
    }
    again.dispose();
  });

  it('initModel can be saved and reloaded', async () => {
    const model = initModel({ vocabSize: 50, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 8 }, { seed: 1 });
    const dir = join(tmp(), 'm');
    mkdirSync(dir);
    await model.save(dir);
    const back = await loadModel(dir);
    const x = { inputIds: [[1, 2, 3]] };
    const a = model.forward(x);
    const b = back.forward(x);
    expect(maxAbsDiff(a.logits, Array.from(b.logits.dataSync()))).toBe(0);
    tf.dispose([a, b]);
    model.dispose();
    back.dispose();
  });
});
