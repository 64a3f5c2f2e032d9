import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './setup-backend.js';
import { ensureGradients } from '../../src/nn/index.js';
import { createRng } from '../../src/util/rng.js';

beforeAll(async () => {
  await setupBackend();
  ensureGradients();
});

/** Central finite differences of sum(f(x) * w) against tf.grad, for every element of x. */
function checkGradient(f: (x: tf.Tensor) => tf.Tensor, shape: number[], seed: number, positive = false): number {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const x0 = Float64Array.from({ length: n }, () => (positive ? 0.5 + rng.next() : rng.normal()));
  const outShape = tf.tidy(() => f(tf.tensor(Float32Array.from(x0), shape)).shape);
  const w = tf.tensor(Float32Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => rng.normal()), outShape);
  const loss = (x: tf.Tensor) => tf.sum(tf.mul(f(x), w));
  const analytic = tf.tidy(() => tf.grad(loss)(tf.tensor(Float32Array.from(x0), shape)).dataSync());
  let worst = 0;
  const h = 1e-2;
  for (let i = 0; i < n; i++) {
    const at = (delta: number) => tf.tidy(() => {
      const x = Float32Array.from(x0);
      x[i] = x[i]! + delta;
      return loss(tf.tensor(x, shape)).dataSync()[0]!;
    });
    const numeric = (at(h) - at(-h)) / (2 * h);
    worst = Math.max(worst, Math.abs(numeric - analytic[i]!) / Math.max(1, Math.abs(numeric)));
  }
  w.dispose();
  return worst;
}

describe('registered gradients match finite differences', () => {
  // Built on use: the backend is set up in beforeAll, after this callback runs.
  const other = () => tf.tensor([[0.3, -1.2, 0.7], [2.0, 0.1, -0.4]]);
  const cases: [string, (x: tf.Tensor) => tf.Tensor, number[], boolean?][] = [
    ['add (broadcast)', (x) => tf.add(x, tf.tensor1d([1, 2, 3])), [2, 3]],
    ['add (into broadcast side)', (x) => tf.add(other(), x), [3]],
    ['sub', (x) => tf.sub(other(), x), [1, 3]],
    ['mul', (x) => tf.mul(x, other()), [2, 1]],
    ['div', (x) => tf.div(other(), x), [2, 3], true],
    ['squaredDifference', (x) => tf.squaredDifference(x, other()), [2, 3]],
    ['square/neg', (x) => tf.neg(tf.square(x)), [4]],
    ['rsqrt', (x) => tf.rsqrt(x), [3], true],
    ['erf', (x) => tf.erf(x), [5]],
    ['tanh', (x) => tf.tanh(x), [5]],
    ['relu', (x) => tf.relu(tf.add(x, 0.05)), [5]],
    ['softmax', (x) => tf.softmax(x, -1), [2, 4]],
    ['logSoftmax', (x) => tf.logSoftmax(x, -1), [2, 4]],
    ['mean/sum/moments', (x) => tf.moments(x, -1, true).variance, [3, 4]],
    ['sum no keepDims', (x) => tf.sum(x, 0), [3, 2]],
    ['reshape/transpose', (x) => tf.transpose(tf.reshape(x, [2, 3, 2]), [1, 0, 2]), [3, 4]],
    ['slice', (x) => tf.slice(x, [1, 0], [2, 2]), [3, 3]],
    ['gather rows (repeated ids accumulate)', (x) => tf.gather(x, tf.tensor2d([[0, 2], [2, 2]], [2, 2], 'int32')), [3, 2]],
    ['matMul a·b', (x) => tf.matMul(x, other()), [4, 2]],
    ['matMul a·bᵀ (x = b)', (x) => tf.matMul(other(), x, false, true), [4, 3]],
    ['matMul aᵀ·b', (x) => tf.matMul(x, other(), true, false), [2, 4]],
    ['matMul aᵀ·bᵀ', (x) => tf.matMul(x, other(), true, true), [3, 4]],
    ['batched matMul a·bᵀ', (x) => tf.matMul(x, tf.div(tf.reshape(tf.range(0, 24, 1, 'float32'), [2, 3, 4]), 10), false, true), [2, 2, 4]],
    ['batched matMul (x = b, broadcast batch)', (x) => tf.matMul(tf.div(tf.reshape(tf.range(0, 24, 1, 'float32'), [2, 3, 4]), 10), x), [4, 2]],
  ];
  for (const [name, f, shape, positive] of cases) {
    it(name, () => {
      expect(checkGradient(f, shape, name.length, positive)).toBeLessThan(2e-3);
    });
  }
});
