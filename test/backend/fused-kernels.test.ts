import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend, currentOverride, uninstallFusedKernels, installFusedKernels, loadNativeKernels } from '../../src/nn/backend/index.js';
import { createRng } from '../../src/util/rng.js';

function values(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

async function onBackend(name: string, f: () => tf.Tensor): Promise<{ v: Float32Array | Int32Array; shape: number[] }> {
  await tf.setBackend(name);
  const t = tf.tidy(f);
  const out = { v: (t.dataSync() as Float32Array | Int32Array).slice(), shape: t.shape };
  t.dispose();
  await tf.setBackend('wasm');
  return out;
}

const load = loadNativeKernels({});
if (!load.ok) throw new Error(`the native kernels must build here: ${load.reason}`);
const native = load.kernels;

describe('replacement kernels on the wasm backend (row copies and segment sums native)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm-blas', env: {} });
    tf.env().set('IS_TEST', true);
  });

  it('GatherV2 on axis 0 equals the cpu backend and tfjs’s wasm kernel, forward and gradient (UnsortedSegmentSum)', async () => {
    expect(currentOverride('GatherV2', 'wasm')?.fndKernelSet).toBe('fused');
    expect(currentOverride('UnsortedSegmentSum', 'wasm')?.fndKernelSet).toBe('fused');
    const table = values(97 * 13, 1);
    const ids = Int32Array.from([0, 96, 5, 5, 17, 3, 96, 40], (v) => v);
    const f = () => tf.gather(tf.tensor(table, [97, 13]), tf.tensor(ids, [2, 4], 'int32'));
    const g = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor(ids, [8], 'int32')), tf.tensor(values(8 * 13, 2), [8, 13]))))(tf.tensor(table, [97, 13]));
    const cpu = await onBackend('cpu', f);
    const ours = await onBackend('wasm', f);
    expect(ours.shape).toEqual([2, 4, 13]);
    expect(Array.from(ours.v)).toEqual(Array.from(cpu.v));
    const gCpu = await onBackend('cpu', g);
    const gOurs = await onBackend('wasm', g); // UnsortedSegmentSum is gather's gradient
    uninstallFusedKernels();
    const plain = await onBackend('wasm', f);
    const gPlain = await onBackend('wasm', g); // the JS UnsortedSegmentSum of missing-kernels.ts
    installFusedKernels(native);
    expect(Array.from(ours.v)).toEqual(Array.from(plain.v));
    expect(gOurs.shape).toEqual([97, 13]);
    let diff = 0;
    for (let i = 0; i < gCpu.v.length; i++) diff = Math.max(diff, Math.abs(gCpu.v[i]! - gOurs.v[i]!));
    expect(diff).toBeLessThanOrEqual(1e-6);
    expect(Array.from(gOurs.v)).toEqual(Array.from(gPlain.v));
  });

  it('int32 tables, ids out of range (zero rows / dropped), and a table wide enough to split across threads', async () => {
    const ids = Int32Array.from([2, -1, 7, 0, 2]);
    const ints = await onBackend('wasm', () => tf.gather(tf.tensor(Int32Array.from({ length: 6 * 3 }, (_, i) => i), [6, 3], 'int32'), tf.tensor(ids, [5], 'int32')));
    expect(Array.from(ints.v)).toEqual([6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 6, 7, 8]);
    const rows = 3000, inner = 64;
    const segIds = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % 500 - 3); // some negative: dropped
    const x = values(rows * inner, 4);
    const sum = await onBackend('wasm', () => tf.unsortedSegmentSum(tf.tensor(x, [rows, inner]), tf.tensor(segIds, [rows], 'int32'), 497));
    const want = new Float64Array(497 * inner);
    segIds.forEach((s, i) => { if (s >= 0 && s < 497) for (let j = 0; j < inner; j++) want[s * inner + j]! += x[i * inner + j]!; });
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i]! - sum.v[i]!));
    expect(sum.shape).toEqual([497, inner]);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('Slice of every kind (whole, leading rows, inner cuts, rank 1-4, int32) equals the cpu backend', async () => {
    expect(currentOverride('Slice', 'wasm')?.fndKernelSet).toBe('fused');
    const cases: [number[], number[], number[]][] = [
      [[13], [2], [7]], [[9, 7], [0, 0], [4, 7]], [[9, 7], [3, 2], [5, 4]], [[8, 16, 5], [0, 0, 0], [8, 1, 5]],
      [[4, 6, 5, 3], [1, 2, 0, 1], [2, 3, 5, 2]], [[4, 6, 5, 3], [0, 0, 0, 0], [4, 6, 5, 3]], [[5, 4], [2, 1], [0, 2]],
    ];
    for (const [shape, begin, size] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      for (const dtype of ['float32', 'int32'] as const) {
        const f = () => tf.slice(tf.tensor(dtype === 'int32' ? Int32Array.from({ length: n }, (_, i) => i) : values(n, 5), shape, dtype), begin, size);
        const cpu = await onBackend('cpu', f);
        const ours = await onBackend('wasm', f);
        expect(ours.shape).toEqual(size);
        expect(Array.from(ours.v)).toEqual(Array.from(cpu.v));
      }
    }
  });

  it('GatherV2 on another axis goes to the original kernel', async () => {
    const table = values(4 * 6, 3);
    const f = () => tf.gather(tf.tensor(table, [4, 6]), tf.tensor([5, 0, 2], [3], 'int32'), 1);
    const cpu = await onBackend('cpu', f);
    const ours = await onBackend('wasm', f);
    expect(ours.shape).toEqual([4, 3]);
    expect(Array.from(ours.v)).toEqual(Array.from(cpu.v));
  });
});
