import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '../../src/nn/backend/gradients.js';
await ensureGradients();
console.log(tf.getGradient('Sum') != null, tf.getGradient('Erf') != null);
await ensureGradients();
await import('@tensorflow/tfjs-backend-wasm'); await tf.setBackend('wasm');
const x = tf.tensor([1, 2, 3]);
console.log(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, v)))(x).dataSync());
