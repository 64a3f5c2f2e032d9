/**
 * The fused BERT kernels (same names, inputs, attributes and outputs as the JS ones in
 * bert-kernels.ts) backed by the native addon (native-kernels.ts): vectorised and split across
 * cores, in place on the wasm heap. Also LayerNorm forward/backward, which only exist natively
 * (without the addon the model keeps its tf-ops LayerNorm).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-override.js';
import type { NativeKernels } from './native-kernels.js';
import { f32View, sizeOf, type WasmBackendLike } from './wasm-heap.js';

export const LAYER_NORM = 'FndLayerNorm';
export const LAYER_NORM_GRAD = 'FndLayerNormGrad';
/**
 * A Linear with its epilogue in the GEMM: y = dropout(act((x Wᵀ + b) * scale)) + residual, and
 * (savePreact) h = (x Wᵀ + b) * scale for act's backward, all while each tile is in cache.
 */
export const DENSE = 'FndDense';

type Kernel = (args: KernelArgs) => TensorInfo | TensorInfo[];

interface ProbsAttrs { rate: number; seed: number }
export interface DenseAttrs { activation: number; scale: number; rate: number; seed: number; savePreact: number }

export function nativeBertKernels(native: NativeKernels): Record<string, Kernel> {
  const hashedDropout = (args: Parameters<Kernel>[0], x: TensorInfo): TensorInfo => {
    const { rate, seed } = args.attrs as unknown as ProbsAttrs;
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(x.shape, 'float32');
    native.attentionDropout(f32View(backend, x), f32View(backend, out), rate, seed);
    return out;
  };
  return {
    FndAttentionProbs: (args) => {
      const { scores, mask } = args.inputs as { scores: TensorInfo; mask: TensorInfo };
      const { rate, seed } = args.attrs as unknown as ProbsAttrs;
      const backend = args.backend as unknown as WasmBackendLike;
      const shape = scores.shape;
      const S = shape[shape.length - 1]!;
      if (sizeOf(mask.shape) !== shape[0]! * S) throw new Error(`FndAttentionProbs: mask ${mask.shape} does not match scores ${shape}`);
      const probs = backend.makeOutput(shape, 'float32');
      const dropped = rate > 0 ? backend.makeOutput(shape, 'float32') : undefined;
      native.attentionProbs(f32View(backend, scores), f32View(backend, mask), f32View(backend, probs),
        dropped ? f32View(backend, dropped) : null, S, sizeOf(shape.slice(1, -1)), rate, seed);
      return dropped ? [probs, dropped] : [probs];
    },
    FndAttentionDropout: (args) => {
      const { probs } = args.inputs as { probs: TensorInfo };
      return hashedDropout(args, probs);
    },
    // Hidden-state dropout is the same hashed-mask pass as attention dropout, on input `x`.
    FndDropout: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      return hashedDropout(args, x);
    },
    FndAttentionProbsGrad: (args) => {
      const { dy, probs } = args.inputs as { dy: TensorInfo; probs: TensorInfo };
      const { rate, seed } = args.attrs as unknown as ProbsAttrs;
      const backend = args.backend as unknown as WasmBackendLike;
      const out = backend.makeOutput(probs.shape, 'float32');
      native.attentionProbsGrad(f32View(backend, dy), f32View(backend, probs), f32View(backend, out), probs.shape[probs.shape.length - 1]!, rate, seed);
      return out;
    },
    FndGelu: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const backend = args.backend as unknown as WasmBackendLike;
      const out = backend.makeOutput(x.shape, 'float32');
      native.gelu(f32View(backend, x), f32View(backend, out));
      return out;
    },
    FndGeluGrad: (args) => {
      const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
      const backend = args.backend as unknown as WasmBackendLike;
      const out = backend.makeOutput(x.shape, 'float32');
      native.geluGrad(f32View(backend, dy), f32View(backend, x), f32View(backend, out));
      return out;
    },
    /**
     * x [..., in], weight [out, in] (PyTorch layout), bias [out], residual? [..., out] → y [..., out]
     * and, when savePreact, h. Attrs: activation (0 linear, 6 erf GELU), scale, rate, seed, savePreact.
     */
    [DENSE]: (args) => {
      const { x, weight, bias, residual } = args.inputs as { x: TensorInfo; weight: TensorInfo; bias: TensorInfo; residual?: TensorInfo };
      const { activation, scale, rate, seed, savePreact } = args.attrs as unknown as DenseAttrs;
      const backend = args.backend as unknown as WasmBackendLike;
      const [out, inFeatures] = weight.shape as [number, number];
      const rows = sizeOf(x.shape) / inFeatures;
      const shape = [...x.shape.slice(0, -1), out];
      const y = backend.makeOutput(shape, 'float32');
      const pre = savePreact ? backend.makeOutput(shape, 'float32') : undefined;
      native.gemm(f32View(backend, x), f32View(backend, weight), f32View(backend, y), 1, rows, out, inFeatures, false, true, null, 0, null, 0,
        f32View(backend, bias), 2, activation, 0, residual ? f32View(backend, residual) : null, scale, rate, seed, pre ? f32View(backend, pre) : null);
      return pre ? [y, pre] : [y];
    },
    /** x [rows, cols], weight, bias [cols] → y, xhat [rows, cols], rstd [rows, 1]. */
    [LAYER_NORM]: (args) => {
      const { x, weight, bias } = args.inputs as { x: TensorInfo; weight: TensorInfo; bias: TensorInfo };
      const { eps } = args.attrs as unknown as { eps: number };
      const backend = args.backend as unknown as WasmBackendLike;
      const cols = x.shape[x.shape.length - 1]!;
      const rows = sizeOf(x.shape) / cols;
      const y = backend.makeOutput(x.shape, 'float32');
      const xhat = backend.makeOutput(x.shape, 'float32');
      const rstd = backend.makeOutput([rows, 1], 'float32');
      native.layerNorm(f32View(backend, x), f32View(backend, weight), f32View(backend, bias), f32View(backend, y), f32View(backend, xhat),
        f32View(backend, rstd), cols, eps);
      return [y, xhat, rstd];
    },
    /** dy, xhat [rows, cols], rstd [rows, 1], weight [cols] → dx [rows, cols], dWeight, dBias (weight's shape). */
    [LAYER_NORM_GRAD]: (args) => {
      const { dy, xhat, rstd, weight } = args.inputs as { dy: TensorInfo; xhat: TensorInfo; rstd: TensorInfo; weight: TensorInfo };
      const backend = args.backend as unknown as WasmBackendLike;
      const cols = xhat.shape[xhat.shape.length - 1]!;
      const dx = backend.makeOutput(xhat.shape, 'float32');
      const dw = backend.makeOutput(weight.shape, 'float32');
      const db = backend.makeOutput(weight.shape, 'float32');
      native.layerNormGrad(f32View(backend, dy), f32View(backend, xhat), f32View(backend, rstd), f32View(backend, weight), f32View(backend, dx),
        f32View(backend, dw), f32View(backend, db), cols);
      return [dx, dw, db];
    },
  };
}
