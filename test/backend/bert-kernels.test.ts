import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend, currentOverride, ensureGradients, BERT_KERNELS } from '../../src/nn/backend/index.js';
import { BERT_GRADIENTS } from '../../src/nn/train/gradients.js';
import { attention, dense, gelu, type DenseOptions } from '../../src/nn/bert/layers.js';
import { DENSE } from '../../src/nn/backend/bert-kernels.js';
import { createAdamW } from '../../src/nn/train/adamw.js';
import { loadModel } from '../../src/nn/index.js';
import { batchOf, expectAdamWStepsMatch, expected, fixtureDir, maxAbsDiff } from '../nn/helpers.js';
import { createRng } from '../../src/util/rng.js';

function values(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

type Out = { v: Float32Array; shape: number[] };

/** Runs f on a backend; returns copies of every output, disposing them. */
async function on(name: string, f: () => tf.Tensor[]): Promise<Out[]> {
  await tf.setBackend(name);
  const ts = tf.tidy(f);
  const out = ts.map((t) => ({ v: (t.dataSync() as Float32Array).slice(), shape: t.shape }));
  tf.dispose(ts);
  await tf.setBackend('wasm');
  return out;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const B = 2, H = 3, S = 5;
const scores = () => tf.tensor(values(B * H * S * S, 11, 4), [B, H, S, S]);
/** Second example: its last two positions are padding (float32 min, as Hugging Face's extended mask). */
const mask = () => tf.tensor([0, 0, 0, 0, 0, 0, 0, 0, -3.4028234663852886e38, -3.4028234663852886e38], [B, 1, 1, S]);
const weights = () => tf.tensor(values(B * H * S * S, 12), [B, H, S, S]);

describe('fused BERT kernels on wasm equal the plain ops (cpu backend), forward and gradient', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm-blas', env: {} });
  });

  it('are registered for wasm only', () => {
    for (const name of BERT_KERNELS) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
      expect(tf.getKernel(name, 'cpu')).toBeUndefined();
    }
  });

  // dh = S and v = identity make the attention output equal the (dropped-out) probabilities.
  const q = () => tf.tensor(values(B * H * S * S, 21, 2), [B, H, S, S]);
  const k = () => tf.tensor(values(B * H * S * S, 22, 2), [B, H, S, S]);
  const eye = () => tf.broadcastTo(tf.eye(S), [B, H, S, S]);
  const attentionGrads = (rate: number, seed: number | undefined, f = attention) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c, mask(), rate, seed), weights())))([q(), k(), tf.tensor(values(B * H * S * S, 23), [B, H, S, S])]);

  // dense = residual + dropout(act((x Wᵀ + b) * scale)): one GEMM + epilogue on wasm, the plain ops on cpu.
  const N = 37, IN = 19, OUT = 45;
  const denseAll = (o: Omit<DenseOptions, 'residual'>, withResidual: boolean) => {
    const x = tf.tensor(values(N * IN, 31, 2), [N, IN]) as tf.Tensor2D;
    const w = tf.tensor(values(OUT * IN, 32), [OUT, IN]);
    const b = tf.tensor(values(OUT, 33), [OUT]);
    const r = tf.tensor(values(N * OUT, 34), [N, OUT]) as tf.Tensor2D;
    const dy = tf.tensor(values(N * OUT, 35), [N, OUT]);
    const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor, rs?: tf.Tensor) => dense(xs as tf.Tensor2D, ws, bs, { ...o, residual: rs as tf.Tensor2D | undefined });
    const loss = (...t: tf.Tensor[]) => tf.sum(tf.mul(f(t[0]!, t[1]!, t[2]!, t[3]), dy)) as tf.Scalar;
    const grads = tf.grads(loss)(withResidual ? [x, w, b, r] : [x, w, b]);
    return [f(x, w, b, withResidual ? r : undefined), ...grads];
  };
  const denseCases: [string, Omit<DenseOptions, 'residual'>, boolean][] = [
    ['plain', {}, false], ['scale', { scale: 0.2 }, false], ['GELU', { gelu: true }, false], ['residual', {}, true],
    ['GELU, scale and residual', { gelu: true, scale: 1.7 }, true],
  ];
  it.each(denseCases)('dense (%s): fused forward and gradients of x, W, b and the residual equal the plain ops', async (_label, o, withResidual) => {
    const f = () => denseAll(o, withResidual);
    const cpu = await on('cpu', f);
    const wasm = await on('wasm', f);
    expect(wasm[0]!.shape).toEqual([N, OUT]);
    expect(wasm.length).toBe(withResidual ? 5 : 4);
    for (let i = 0; i < wasm.length; i++) expect(maxDiff(wasm[i]!.v, cpu[i]!.v)).toBeLessThan(1e-5);
  });

  it('dense with dropout: the epilogue drops exactly what the separate hashed-dropout kernel drops, forward and backward', async () => {
    const f = () => denseAll({ gelu: true, rate: 0.3, seed: 77 }, true);
    const fused = await on('wasm', f);
    const config = tf.getKernel(DENSE, 'wasm')!;
    tf.unregisterKernel(DENSE, 'wasm');
    try {
      const plain = await on('wasm', f);
      for (let i = 0; i < 5; i++) expect(maxDiff(fused[i]!.v, plain[i]!.v)).toBeLessThan(1e-5);
      // Dropped: about 30% of the outputs equal the residual alone.
      const r = values(N * OUT, 34);
      const dropped = fused[0]!.v.filter((v, i) => v === r[i]).length / (N * OUT);
      expect(dropped).toBeGreaterThan(0.2);
      expect(dropped).toBeLessThan(0.4);
    } finally {
      tf.registerKernel(config);
    }
  });

  it('attention without dropout: softmax(q kᵀ + mask) v and its gradients for q, k, v', async () => {
    const f = () => [attention(q(), k(), eye(), mask(), 0.1, undefined), ...attentionGrads(0, 7)];
    const cpu = await on('cpu', f);
    const wasm = await on('wasm', f);
    expect(wasm[0]!.shape).toEqual([B, H, S, S]);
    for (let i = 0; i < 4; i++) expect(maxDiff(wasm[i]!.v, cpu[i]!.v)).toBeLessThan(2e-6);
    // Padded keys get probability 0.
    expect(wasm[0]!.v[B * H * S * S - 1]).toBe(0);
  });

  it('attention dropout: kept values are p / keep, the same mask forward and backward, reproducible from the seed', async () => {
    const rate = 0.3;
    // The fused kernels run while gradients are recorded (training); inference takes the plain ops.
    const recorded = () => tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attention(a, b, c, mask(), rate, 42))([q(), k(), eye()], tf.ones([B, H, S, S])).value;
    const outs = await on('wasm', () => [
      attention(q(), k(), eye(), mask(), rate, undefined),
      recorded(),
      recorded(),
      ...attentionGrads(rate, 42),
    ]);
    const [probs, dropped, again] = outs.map((o) => o.v) as [Float32Array, Float32Array, Float32Array];
    expect(Array.from(again)).toEqual(Array.from(dropped));
    let zeros = 0;
    const keepMask = new Float32Array(dropped.length);
    for (let i = 0; i < dropped.length; i++) {
      if (dropped[i] === 0 && probs[i] !== 0) zeros++;
      else {
        keepMask[i] = 1;
        expect(Math.abs(dropped[i]! - probs[i]! / (1 - rate))).toBeLessThan(1e-6);
      }
    }
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(dropped.length / 2);
    // The gradients through the recovered mask, by the plain ops on cpu.
    const plain = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, m: tf.Tensor, r: number) =>
      tf.matMul(tf.div(tf.mul(tf.softmax(tf.add(tf.matMul(a, b, false, true), m), -1), tf.tensor(keepMask, [B, H, S, S])), 1 - r), c) as tf.Tensor4D;
    const want = await on('cpu', () => attentionGrads(rate, 42, plain));
    for (let i = 0; i < 3; i++) expect(maxDiff(outs[3 + i]!.v, want[i]!.v)).toBeLessThan(2e-6);
  });

  it('GELU: the erf form and its gradient', async () => {
    const x = () => tf.tensor(values(6 * 50, 13, 6), [6, 50]);
    const w = () => tf.tensor(values(6 * 50, 14), [6, 50]);
    const f = () => [tf.valueAndGrad((t: tf.Tensor) => gelu(t as tf.Tensor2D))(x(), tf.ones([6, 50])).value, tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t as tf.Tensor2D), w())))(x())];
    const cpu = await on('cpu', f);
    const wasm = await on('wasm', f);
    expect(maxDiff(wasm[0]!.v, cpu[0]!.v)).toBeLessThan(1e-6);
    expect(maxDiff(wasm[1]!.v, cpu[1]!.v)).toBeLessThan(1e-6);
  });

  it('Identity (tf.clone) shares the data; the clone outlives the original', () => {
    expect(currentOverride('Identity', 'wasm')?.fndKernelSet).toBe('fused');
    const a = tf.tensor([1, 2, 3]);
    const backend = tf.backend();
    const buffers = backend.numDataIds();
    const b = tf.clone(a);
    expect(backend.numDataIds()).toBe(buffers);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
  });

  it('AdamW updates wasm parameters in place exactly as on cpu, and never through a shared buffer', async () => {
    const grads = new Map([['w.weight', values(12, 3)], ['b.bias', values(4, 4)]]);
    const stepBoth = async (backend: string) => {
      await tf.setBackend(backend);
      const params = new Map([['w.weight', tf.variable(tf.tensor(values(12, 1), [3, 4]))], ['b.bias', tf.variable(tf.tensor(values(4, 2), [4]))]]);
      // A reshape shares the bias's buffer: the optimizer must not write through it.
      const shared = tf.reshape(params.get('b.bias')!, [2, 2]);
      const before = shared.dataSync().slice();
      const opt = createAdamW(params, { lr: 1e-2, weightDecay: 0.1 });
      for (let i = 0; i < 3; i++) opt.step(grads, { gradScale: 0.5 });
      const out = [...params.values()].map((p) => (p.dataSync() as Float32Array).slice());
      expect(Array.from(shared.dataSync())).toEqual(Array.from(before));
      shared.dispose();
      for (const p of params.values()) p.dispose();
      await tf.setBackend('wasm');
      return out;
    };
    const cpu = await stepBoth('cpu');
    const wasm = await stepBoth('wasm');
    expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
    expect(Array.from(wasm[1]!)).toEqual(Array.from(cpu[1]!));
    expect(Array.from(wasm[0]!)).not.toEqual(Array.from(values(12, 1)));
  });

  it('the PyTorch fixtures: forward within 1e-5 and three AdamW steps within 1e-4 on wasm-blas', async () => {
    const e = expected('small-4l-64h');
    const model = await loadModel(fixtureDir('small-4l-64h'));
    const out = model.forward(batchOf(e));
    expect(maxAbsDiff(out.logits, e.logits)).toBeLessThan(1e-5);
    tf.dispose(out);
    model.dispose();
    await expectAdamWStepsMatch('small-4l-64h');
  });
});

describe('one gradient registry', () => {
  it('ensureGradients installs fnd’s definitions over any registered earlier, whatever the order', () => {
    const foreign: tf.GradConfig = { kernelName: 'Add', gradFunc: (dy) => ({ a: () => dy as tf.Tensor, b: () => dy as tf.Tensor }) };
    tf.registerGradient(foreign);
    expect(tf.getGradient('Add')).toBe(foreign);
    ensureGradients();
    for (const config of BERT_GRADIENTS) expect(tf.getGradient(config.kernelName)).toBe(config);
  });
});
