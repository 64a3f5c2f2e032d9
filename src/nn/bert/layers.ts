/**
 * The building blocks of Hugging Face's BERT, on tfjs-core ops only. Activations are kept 2-D
 * ([batch*seq, hidden]) so every Linear is a plain 2-D matmul; PyTorch's [out, in] weights are
 * used as stored through transposeB instead of materialising a transpose.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sumRows } from '../backend/gradients.js';
import {
  ATTENTION_DROPOUT, ATTENTION_PROBS, ATTENTION_PROBS_GRAD, DENSE, DROPOUT, GELU, GELU_GRAD, LAYER_NORM, LAYER_NORM_GRAD, isRecording, useFused,
} from '../backend/bert-kernels.js';

/** Runs a kernel by name (the fused ones in backend/bert-kernels.ts have no tf op wrapper). */
function run(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** y = x W^T + b with W stored [out, in] as in PyTorch. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  if (useFused(DENSE)) return dense(x, weight, bias);
  return tf.add(tf.matMul(x, weight as tf.Tensor2D, false, true), bias);
}

export interface DenseOptions {
  /** Multiplies x Wᵀ + b (the attention query's 1/sqrt(d)). */
  scale?: number;
  gelu?: boolean;
  /** Dropout after the activation (off when seed is undefined, as in `dropout`). */
  rate?: number;
  seed?: number;
  /** Added last: a post-LN block's residual. */
  residual?: tf.Tensor2D;
}

/**
 * residual + dropout(act((x Wᵀ + b) * scale)): BERT's Linear with what follows it. Where the native
 * kernels are loaded it is one GEMM whose epilogue does the rest while each tile is in cache (the
 * same operations in the same order, so the same numbers), and backward is three GEMMs plus the
 * dropout and GELU gradients; elsewhere the plain ops.
 */
export function dense(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, o: DenseOptions = {}): tf.Tensor2D {
  const rate = o.seed === undefined ? 0 : (o.rate ?? 0);
  if (!useFused(DENSE)) {
    let h = tf.add(tf.matMul(x, weight as tf.Tensor2D, false, true), bias) as tf.Tensor2D;
    if (o.scale !== undefined) h = tf.mul(h, o.scale);
    if (o.gelu) h = gelu(h);
    h = dropout(h, rate, o.seed);
    return o.residual ? tf.add(h, o.residual) : h;
  }
  const attrs = { activation: o.gelu ? 6 : 0, scale: o.scale ?? 1, rate, seed: o.seed ?? 0, savePreact: 0 };
  const inputs = (xs: tf.Tensor, w: tf.Tensor, b: tf.Tensor, r?: tf.Tensor): Record<string, tf.Tensor> =>
    (r ? { x: xs, weight: w, bias: b, residual: r } : { x: xs, weight: w, bias: b });
  if (!isRecording()) return run(DENSE, inputs(x, weight, bias, o.residual), attrs)[0]! as tf.Tensor2D;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xs, w, b, r] = args.slice(0, -1) as tf.Tensor[];
    const outs = run(DENSE, inputs(xs!, w!, b!, r), { ...attrs, savePreact: o.gelu ? 1 : 0 });
    save(o.gelu ? [xs!, w!, outs[1]!] : [xs!, w!]);
    return {
      value: outs[0]!,
      // Everything saved belongs to this tape node alone: freed here, not at the end of backward.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [input, wt, pre] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor | undefined];
        let dh = rate > 0 ? run(DROPOUT, { x: dy }, { rate, seed: attrs.seed })[0]! : dy;
        if (pre) dh = run(GELU_GRAD, { dy: dh, x: pre })[0]!;
        if (attrs.scale !== 1) dh = tf.mul(dh, attrs.scale);
        const [rows, cols] = dh.shape as [number, number];
        const grads = [tf.matMul(dh as tf.Tensor2D, wt), tf.matMul(dh as tf.Tensor2D, input, true, false), sumRows(dh, rows, cols)];
        if (r) grads.push(tf.reshape(dy, r.shape));
        tf.dispose(saved);
        return grads;
      }),
    };
  });
  return (o.residual ? op(x, weight, bias, o.residual) : op(x, weight, bias)) as tf.Tensor2D;
}

/**
 * LayerNorm over the last axis with biased variance, as torch.nn.functional.layer_norm, with its
 * analytic backward (dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * weight): a third
 * of the kernels autograd would run through mean/sub/square/rsqrt, and no broadcast tiles.
 */
export function layerNorm(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor2D {
  if (useFused(LAYER_NORM)) return fusedLayerNorm(x, weight, bias, eps);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const xc = tf.sub(input, tf.mean(input, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, w]);
    return {
      value: tf.add(tf.mul(xhat, w), b),
      // tidy: the temporaries go at once, not at the end of the whole backward pass.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xh, rs, gamma] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const g = tf.mul(dy, gamma);
        const meanG = tf.mean(g, -1, true);
        const meanGX = tf.mean(tf.mul(g, xh), -1, true);
        const dx = tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(xh, meanGX)), rs);
        const [rows, cols] = dy.shape as [number, number];
        return [dx, sumRows(tf.mul(dy, xh), rows, cols), sumRows(dy, rows, cols)];
      }),
    };
  });
  return op(x, weight, bias) as tf.Tensor2D;
}

/** LayerNorm as one native kernel each way (only registered when fnd's native kernels are loaded). */
function fusedLayerNorm(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor2D {
  if (!isRecording()) {
    const [y, xhat, rstd] = run(LAYER_NORM, { x, weight, bias }, { eps });
    tf.dispose([xhat!, rstd!]);
    return y as tf.Tensor2D;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, xhat, rstd] = run(LAYER_NORM, { x: input, weight: w, bias: b }, { eps });
    save([xhat!, rstd!, w]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gamma] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const grads = run(LAYER_NORM_GRAD, { dy, xhat: xh, rstd: rs, weight: gamma });
        tf.dispose([xh, rs, gamma]);  // this tape node's alone: free now, not at the end of backward
        return grads;
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
  if (useFused(GELU)) {
    if (!isRecording()) return run(GELU, { x })[0]! as tf.Tensor2D;
    // One fused pass each way; only the input is kept for backward.
    const fused = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([input]);
      return {
        value: run(GELU, { x: input })[0]!,
        // The saved input belongs to this tape node alone: free it now, not at the end of backward.
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const dx = run(GELU_GRAD, { dy, x: saved[0]! })[0]!;
          saved[0]!.dispose();
          return dx;
        },
      };
    });
    return fused(x) as tf.Tensor2D;
  }
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

/**
 * Scaled dot-product attention: dropout(softmax(q kᵀ + mask)) v, with q already scaled, q/k/v
 * [B, heads, S, dh] and the additive mask [B, 1, 1, S]. Where the backend has the fused kernels
 * (wasm) this is one op whose backward keeps only the probabilities (plus q, k, v): the scores,
 * the dropped-out copy and every backward temporary are freed as soon as used, where autograd
 * would keep all of them until the whole backward pass ends (at seq 512, batch 8 that is
 * ~100 MB per tensor per layer). The dropout mask is regenerated from `seed`. Elsewhere the
 * plain ops. Dropout is off when `seed` is undefined (inference), as in `dropout`.
 */
export function attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor, rate: number, seed: number | undefined): tf.Tensor4D {
  if (!useFused(ATTENTION_PROBS)) {
    return tf.matMul(dropout(tf.softmax(tf.add(tf.matMul(q, k, false, true), mask), -1), rate, seed), v) as tf.Tensor4D;
  }
  const attrs = { rate: seed === undefined ? 0 : rate, seed: seed ?? 0 };
  if (!isRecording()) {
    return tf.tidy(() => {
      const outs = run(ATTENTION_PROBS, { scores: tf.matMul(q, k, false, true), mask }, attrs);
      return tf.matMul(outs[outs.length - 1]! as tf.Tensor4D, v);
    });
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qs, ks, vs, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const outs = run(ATTENTION_PROBS, { scores: tf.matMul(qs, ks, false, true), mask }, attrs);
    save([outs[0]!, qs, ks, vs]);
    return {
      value: tf.matMul(outs[outs.length - 1]! as tf.Tensor4D, vs),
      // Each temporary is freed as soon as used, and the saved tensors too: they belong to this tape
      // node alone, and tfjs would otherwise keep every layer's until the whole backward pass ends
      // (at seq 512, batch 8: 100 MB of probabilities per layer). Disposing twice is a no-op.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [probs, sq, sk, sv] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        const dropped = attrs.rate > 0 ? run(ATTENTION_DROPOUT, { probs }, attrs)[0]! as tf.Tensor4D : probs;
        const dv = tf.matMul(dropped, d, true, false);
        if (dropped !== probs) dropped.dispose();
        const dProbs = tf.matMul(d, sv, false, true);
        const dScores = run(ATTENTION_PROBS_GRAD, { dy: dProbs, probs }, attrs)[0]! as tf.Tensor4D;
        dProbs.dispose();
        probs.dispose();
        const grads = [tf.matMul(dScores, sk), tf.matMul(dScores, sq, true, false), dv];
        tf.dispose([sq, sk, sv]);
        return grads;
      }),
    };
  });
  return op(q, k, v) as tf.Tensor4D;
}

/**
 * Inverted dropout (scale kept values by 1/(1-rate)), as torch; identity when rate is 0. Where the
 * fused kernels are registered (wasm) one pass each way, the mask a hash of (seed, index) as in
 * attention, regenerated for backward instead of kept: tf.dropout drew its uniforms in JS
 * (seedrandom) and ran four elementwise kernels, ~50 ms of a TinyBERT step at seq 128.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number | undefined): T {
  if (rate <= 0 || seed === undefined) return x;
  if (useFused(DROPOUT) && x.dtype === 'float32') {
    const attrs = { rate, seed };
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: run(DROPOUT, { x: args[0] as tf.Tensor }, attrs)[0]!,
      gradFunc: (dy: tf.Tensor) => run(DROPOUT, { x: dy }, attrs)[0]!,
    }));
    return op(x) as T;
  }
  return tf.dropout(x, rate, undefined, seed) as T;
}
