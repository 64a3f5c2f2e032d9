/**
 * The building blocks of Hugging Face's BERT, on tfjs-core ops only. Activations are kept 2-D
 * ([batch*seq, hidden]) so every Linear is a plain 2-D matmul; PyTorch's [out, in] weights are
 * used as stored through transposeB instead of materialising a transpose.
 */
import * as tf from '@tensorflow/tfjs-core';

/** y = x W^T + b with W stored [out, in] as in PyTorch. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, weight as tf.Tensor2D, false, true), bias);
}

/** LayerNorm over the last axis with biased variance, as torch.nn.functional.layer_norm. */
export function layerNorm(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, weight), bias);
}

/** The exact (erf) GELU that Hugging Face's "gelu" means: 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** Inverted dropout (scale kept values by 1/(1-rate)), as torch; identity when rate is 0. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number | undefined): T {
  if (rate <= 0 || seed === undefined) return x;
  return tf.dropout(x, rate, undefined, seed) as T;
}
