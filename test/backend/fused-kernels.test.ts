import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend, currentOverride, uninstallFusedKernels, installFusedKernels } from '../../src/nn/backend/index.js';
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

describe('JS replacement kernels on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm-blas', env: {} });
    tf.env().set('IS_TEST', true);
  });

  it('GatherV2 on axis 0 equals the cpu backend and tfjs’s wasm kernel, forward and gradient', async () => {
    expect(currentOverride('GatherV2', 'wasm')?.fndKernelSet).toBe('fused');
    const table = values(97 * 13, 1);
    const ids = Int32Array.from([0, 96, 5, 5, 17, 3, 96, 40], (v) => v);
    const f = () => tf.gather(tf.tensor(table, [97, 13]), tf.tensor(ids, [2, 4], 'int32'));
    const g = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor(ids, [8], 'int32')), tf.tensor(values(8 * 13, 2), [8, 13]))))(tf.tensor(table, [97, 13]));
    const cpu = await onBackend('cpu', f);
    const ours = await onBackend('wasm', f);
    expect(ours.shape).toEqual([2, 4, 13]);
    expect(Array.from(ours.v)).toEqual(Array.from(cpu.v));
    uninstallFusedKernels();
    const plain = await onBackend('wasm', f);
    installFusedKernels();
    expect(Array.from(ours.v)).toEqual(Array.from(plain.v));
    const gCpu = await onBackend('cpu', g);
    const gOurs = await onBackend('wasm', g); // UnsortedSegmentSum (added for wasm) is gather's gradient
    expect(gOurs.shape).toEqual([97, 13]);
    let diff = 0;
    for (let i = 0; i < gCpu.v.length; i++) diff = Math.max(diff, Math.abs(gCpu.v[i]! - gOurs.v[i]!));
    expect(diff).toBeLessThanOrEqual(1e-6);
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
