import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend, installGemmKernels, uninstallGemmKernels, loadNativeKernels, currentOverride, type NativeKernels } from '../../src/nn/backend/index.js';
import { createRng } from '../../src/util/rng.js';

// fnd's GEMM lives in the native addon, which must build on this machine (g++ and node-gyp).
function native(): NativeKernels {
  const load = loadNativeKernels({});
  if (!load.ok) throw new Error(`the native kernels must build here: ${load.reason}`);
  return load.kernels;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.next() * 2 - 1;
  return tf.tensor(values, shape);
}

type Result = { values: Float32Array; shape: number[] };

function run(f: () => tf.Tensor): Result {
  const t = tf.tidy(f);
  const out = { values: t.dataSync() as Float32Array, shape: t.shape };
  t.dispose();
  return out;
}

/** Our kernels vs tfjs's own wasm kernels. */
function withAndWithoutGemm(f: () => tf.Tensor): { expected: Result; actual: Result } {
  uninstallGemmKernels();
  const expected = run(f);
  installGemmKernels(native());
  return { expected, actual: run(f) };
}

/** Our kernels vs the cpu backend (the wasm _FusedMatMul gives wrong results for batched inputs with bias). */
async function gemmVsCpu(f: () => tf.Tensor): Promise<{ expected: Result; actual: Result }> {
  await tf.setBackend('cpu');
  const expected = run(f);
  await tf.setBackend('wasm');
  return { expected, actual: run(f) };
}

/** Plain-JS oracle for op(a) x op(b) with numpy batch broadcasting, accumulated in float64. */
function oracle(a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean): Result {
  const av = a.dataSync();
  const bv = b.dataSync();
  const ra = a.rank;
  const rb = b.rank;
  const m = tA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = tA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = tB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const aB = a.shape.slice(0, -2);
  const bB = b.shape.slice(0, -2);
  const rank = Math.max(aB.length, bB.length);
  const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s] as number[];
  const pa = pad(aB);
  const pb = pad(bB);
  const outB = pa.map((d, i) => Math.max(d, pb[i]!));
  const count = outB.reduce((x, y) => x * y, 1);
  const values = new Float32Array(count * m * n);
  for (let o = 0; o < count; o++) {
    let rest = o;
    let ai = 0;
    let bi = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rest % outB[d]!;
      rest = Math.floor(rest / outB[d]!);
      if (pa[d] !== 1) ai += c * sa;
      if (pb[d] !== 1) bi += c * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const x = av[ai * m * k + (tA ? p * m + i : i * k + p)]!;
          const y = bv[bi * k * n + (tB ? j * k + p : p * n + j)]!;
          sum += x * y;
        }
        values[o * m * n + i * n + j] = sum;
      }
    }
  }
  return { values, shape: [...outB, m, n] };
}

function maxRelDiff(expected: Float32Array, actual: Float32Array): number {
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff = Math.max(diff, Math.abs(expected[i]! - actual[i]!));
  return diff / scale;
}

interface Case { a: number[]; b: number[]; tA: boolean; tB: boolean }

/** Shapes of a and b for op(a) of m x k and op(b) of k x n with the given batch dims. */
function shapes(m: number, k: number, n: number, aBatch: number[], bBatch: number[], tA: boolean, tB: boolean): Case {
  return { a: [...aBatch, ...(tA ? [k, m] : [m, k])], b: [...bBatch, ...(tB ? [n, k] : [k, n])], tA, tB };
}

const cases: Case[] = [];
// Odd sizes on purpose: edge tiles of every micro-kernel (6x16, 4x8, 8x8), K slices of unequal use, one row or column.
const sizes: [number, number, number][] = [[1, 1, 1], [7, 65, 1], [65, 7, 312], [1, 513, 7], [63, 127, 65], [127, 63, 7], [513, 7, 63], [7, 1, 513]];
const batches: [number[], number[]][] = [[[], []], [[3], [3]], [[1], [3]], [[3], [1]], [[3], []], [[], [3]], [[2, 3], [2, 3]], [[2, 1], [1, 3]]];
let index = 0;
for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    for (const [aBatch, bBatch] of batches) {
      const [m, k, n] = sizes[index++ % sizes.length]!;
      cases.push(shapes(m, k, n, aBatch, bBatch, tA, tB));
    }
  }
}

// No skipping when the native kernels are missing: a missing build must fail here, loudly.
describe('fnd GEMM kernels on the wasm backend', () => {
  beforeAll(async () => {
    const info = await initBackend({ prefer: 'wasm-blas', env: {} });
    expect(info.name).toBe('wasm-blas');
    tf.env().set('IS_TEST', true); // quiets the cpu backend's "install tfjs-node" banner
  });

  it('installs replacements for BatchMatMul and _FusedMatMul and restores the originals', () => {
    installGemmKernels(native());
    expect(currentOverride('BatchMatMul', 'wasm')?.fndKernelSet).toBe('gemm');
    expect(currentOverride('_FusedMatMul', 'wasm')?.fndKernelSet).toBe('gemm');
    uninstallGemmKernels();
    expect(currentOverride('BatchMatMul', 'wasm')).toBeUndefined();
    installGemmKernels(native());
  });

  it.each(cases.map((c) => [`${JSON.stringify(c.a)}${c.tA ? 'ᵀ' : ''} x ${JSON.stringify(c.b)}${c.tB ? 'ᵀ' : ''}`, c] as const))(
    'BatchMatMul %s matches the wasm kernel',
    (_label, c) => {
      const a = randomTensor(c.a, 1);
      const b = randomTensor(c.b, 2);
      const expected = oracle(a, b, c.tA, c.tB);
      const actual = run(() => tf.matMul(a, b, c.tA, c.tB));
      expect(actual.shape).toEqual(expected.shape);
      expect(actual.values.length).toBeGreaterThan(0);
      expect(maxRelDiff(expected.values, actual.values)).toBeLessThanOrEqual(1e-4);
      // tfjs's own wasm kernel agrees wherever it supports the batch shapes (one side's batch 1 or equal).
      const sa = c.a.slice(0, -2).reduce((x, y) => x * y, 1);
      const sb = c.b.slice(0, -2).reduce((x, y) => x * y, 1);
      if (sa === 1 || sb === 1 || JSON.stringify(c.a.slice(0, -2)) === JSON.stringify(c.b.slice(0, -2))) {
        const r = withAndWithoutGemm(() => tf.matMul(a, b, c.tA, c.tB));
        expect(maxRelDiff(r.expected.values, r.actual.values)).toBeLessThanOrEqual(1e-4);
      }
      a.dispose();
      b.dispose();
    },
  );

  it('gradients through matMul (transposed products) match the wasm kernel', () => {
    const f = () => {
      const a = randomTensor([4, 65, 32], 3);
      const b = randomTensor([4, 65, 32], 4);
      const w = randomTensor([32, 7], 5);
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.matMul(tf.matMul(x, y, false, true), tf.reshape(tf.matMul(tf.reshape(x, [-1, 32]), z), [4, 65, 7]))) as tf.Scalar,
      )([a, b, w]);
      return tf.concat(g.map((t) => tf.reshape(t, [-1])));
    };
    const r = withAndWithoutGemm(f);
    expect(r.actual.values.length).toBe(4 * 65 * 32 * 2 + 32 * 7);
    expect(maxRelDiff(r.expected.values, r.actual.values)).toBeLessThanOrEqual(1e-4);
  });

  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const;
  it.each(activations)('_FusedMatMul with bias and %s activation matches the cpu backend', async (activation) => {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const r = await gemmVsCpu(() => {
        const c = shapes(7, 65, 31, [2], [2], tA, tB);
        return tf.fused.matMul({
          a: randomTensor(c.a, 6), b: randomTensor(c.b, 7), transposeA: tA, transposeB: tB,
          bias: randomTensor([31], 8), activation,
          preluActivationWeights: activation === 'prelu' ? randomTensor([31], 9) : undefined,
          leakyreluAlpha: 0.3,
        });
      });
      expect(r.actual.shape).toEqual([2, 7, 31]);
      expect(maxRelDiff(r.expected.values, r.actual.values)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('_FusedMatMul without bias and with a scalar bias matches the cpu backend', async () => {
    for (const bias of [undefined, [1]]) {
      const r = await gemmVsCpu(() =>
        tf.fused.matMul({ a: randomTensor([1, 9, 5], 10), b: randomTensor([1, 5, 4], 11), bias: bias && randomTensor(bias, 12), activation: 'relu' }),
      );
      expect(maxRelDiff(r.expected.values, r.actual.values)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => tf.matMul(randomTensor([3, 5, 7], 1), randomTensor([7, 2], 2))).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
