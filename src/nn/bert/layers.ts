/**
 * The building blocks of Hugging Face's BERT, on tfjs-core ops only. Activations are kept 2-D
 * ([batch*seq, hidden]) so every Linear is a plain 2-D matmul; PyTorch's [out, in] weights are
 * used as stored through transposeB instead of materialising a transpose.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sumRows } from '../train/gradients.js';

/** y = x W^T + b with W stored [out, in] as in PyTorch. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, weight as tf.Tensor2D, false, true), bias);
}

/**
 * LayerNorm over the last axis with biased variance, as torch.nn.functional.layer_norm, with its
 * analytic backward (dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * weight): a third
 * of the kernels autograd would run through mean/sub/square/rsqrt, and no broadcast tiles.
 */
export function layerNorm(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const xc = tf.sub(input, tf.mean(input, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, w]);
    return {
      value: tf.add(tf.mul(xhat, w), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gamma] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const g = tf.mul(dy, gamma);
        const meanG = tf.mean(g, -1, true);
        const meanGX = tf.mean(tf.mul(g, xh), -1, true);
        const dx = tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(xh, meanGX)), rs);
        const [rows, cols] = dy.shape as [number, number];
        return [dx, sumRows(tf.mul(dy, xh), rows, cols), sumRows(dy, rows, cols)];
      },
    };
  });
  return op(x, weight, bias) as tf.Tensor2D;
}

/**
 * The exact (erf) GELU that Hugging Face's "gelu" means: x * Phi(x), Phi(x) = 0.5 (1 + erf(x / sqrt 2)),
 * with the analytic derivative Phi(x) + x * phi(x) (fewer kernels and saved tensors than autograd).
 */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(input, Math.SQRT1_2)), 1), 0.5);
    save([input, cdf]);
    return {
      value: tf.mul(input, cdf),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, phi] = saved as [tf.Tensor, tf.Tensor];
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), 1 / Math.sqrt(2 * Math.PI));
        return tf.mul(dy, tf.add(phi, tf.mul(xs, pdf)));
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/** Inverted dropout (scale kept values by 1/(1-rate)), as torch; identity when rate is 0. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number | undefined): T {
  if (rate <= 0 || seed === undefined) return x;
  return tf.dropout(x, rate, undefined, seed) as T;
}
