/**
 * A program that already uses TensorFlow.js keeps working when it starts using fnd: its backend,
 * its own kernels and gradients, and its tensors survive fnd's first use and an explicit
 * initBackend() (which replaces kernels of the wasm backend only, and gradients of the kernels
 * BERT uses only). Runs in its own process (vitest forks).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, GradConfig } from '@tensorflow/tfjs-core';
import { loadModel } from '../../src/nn/index.js';
import { currentOverride, initBackend } from '../../src/nn/backend/index.js';
import { expected, fixtureDir, maxAbsDiff } from '../nn/helpers.js';

const TFJS_BACKEND = { 'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', 'wasm-blas': 'wasm', wasm: 'wasm', cpu: 'cpu' } as const;

// The program's own op: x³, with its own kernel (cpu) and gradient.
const cubeKernel: KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  const cpu = backend as unknown as { readSync(id: unknown): Float32Array; makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo };
  const values = cpu.readSync(x.dataId).map((v) => v * v * v);
  return cpu.makeTensorInfo(x.shape, 'float32', values);
};
const cubeGrad: GradConfig = {
  kernelName: 'ProgramCube',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(3, tf.square(saved[0]!))) }),
};
const cube = (x: tf.Tensor): tf.Tensor => tf.engine().runKernel('ProgramCube', { x }) as tf.Tensor;

describe('a program that already uses TensorFlow.js', () => {
  it('keeps its backend, kernels, gradients and tensors through fnd\'s first use and initBackend()', async () => {
    await tf.setBackend('cpu');
    tf.registerKernel({ kernelName: 'ProgramCube', backendName: 'cpu', kernelFunc: cubeKernel });
    tf.registerGradient(cubeGrad);
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, -1], [0.5, 2], [-3, 1]]);
    const product = Array.from(tf.matMul(a, b).dataSync());
    expect(product).toEqual([-7, 6, -11.5, 12]);
    const x = tf.tensor1d([1, -2, 0.5]);
    expect(Array.from(cube(x).dataSync())).toEqual([1, -8, 0.125]);

    // fnd's first use: the program's running backend is kept, not switched.
    const e = expected('tiny-2l-32h');
    const model = await loadModel(fixtureDir('tiny-2l-32h'));
    expect(tf.getBackend()).toBe('cpu');
    const batch = { inputIds: e.inputs.input_ids, attentionMask: e.inputs.attention_mask, tokenTypeIds: e.inputs.token_type_ids };
    const first = model.forward(batch);
    expect(maxAbsDiff(first.logits, e.logits!.flat())).toBeLessThan(1e-4);
    tf.dispose(first);

    // fnd's own choice, asked for explicitly.
    const info = await initBackend();
    const active = tf.getBackend();
    expect(active).toBe(TFJS_BACKEND[info.name]);
    // Tensors made before stay readable; the program's ops give the same numbers on fnd's backend.
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const again = tf.matMul(a, b);
    expect(maxAbsDiff(again, product)).toBeLessThan(1e-5);
    again.dispose();
    // matMul's gradient (now fnd's registered one) is still d/dA sum(A·B) = rows of B summed.
    const gradA = tf.grad((m: tf.Tensor) => tf.sum(tf.matMul(m as tf.Tensor2D, b)))(a);
    expect(maxAbsDiff(gradA, [0, 2.5, -2, 0, 2.5, -2])).toBeLessThan(1e-5);
    gradA.dispose();
    // Only the wasm backend's kernels are replaced; the program's gradient for its own kernel is untouched.
    expect(currentOverride('BatchMatMul', 'cpu')).toBeUndefined();
    expect(tf.getGradient('ProgramCube')).toBe(cubeGrad);
    // The model (its variables made on cpu) runs on fnd's backend too.
    const second = model.forward(batch);
    expect(maxAbsDiff(second.logits, e.logits!.flat())).toBeLessThan(1e-4);
    tf.dispose(second);

    // Back to the program's backend: its kernel and gradient work as before.
    await tf.setBackend('cpu');
    expect(Array.from(cube(x).dataSync())).toEqual([1, -8, 0.125]);
    const dx = tf.grad(cube)(x);
    expect(Array.from(dx.dataSync())).toEqual([3, 12, 0.75]);
    tf.dispose([a, b, x, dx]);
    model.dispose();
  });
});
