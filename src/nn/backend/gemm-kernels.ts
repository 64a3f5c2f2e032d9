/**
 * BatchMatMul and _FusedMatMul for the wasm backend by fnd's own GEMM (native/fnd-kernels:
 * packed panels, cache blocking, an AVX2+FMA micro-kernel, threads), in place on the wasm heap.
 *
 * Measured (../shared/DESIGN.md): the wasm backend's own BatchMatMul reaches ~23 GFLOP/s without
 * transposes but ~1-2 GFLOP/s for transposed or batched operands, which every backward pass
 * uses. tfjs expresses matMul gradients as BatchMatMul calls with transposes, so these two
 * kernels cover backward too. Bias and activation of _FusedMatMul run in the GEMM's epilogue
 * (each tile while it is in cache) where the addon has them; the rare rest in JS after it.
 */
import { broadcast_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeKernels } from './native-kernels.js';
import { overrideKernel, restoreKernel, type KernelArgs } from './kernel-override.js';
import { f32View, sizeOf, type WasmBackendLike } from './wasm-heap.js';

export const GEMM_KERNEL_SET = 'gemm';
export const GEMM_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/** The addon's epilogue codes (native/fnd-kernels/src/gemm.h). */
export const ACTIVATION_CODES = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, elu: 4, sigmoid: 5, gelu: 6 } as const;
export const BIAS_NONE = 0;
export const BIAS_SCALAR = 1;
export const BIAS_COLUMN = 2;

/** Where each batch's operand starts: `index[i] * size` when an index is needed, else `i * stride` (0 broadcasts). */
interface Operand { index: Int32Array | null; stride: number }

interface MatMulPlan {
  batch: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
  a: Operand;
  b: Operand;
}

export function planMatMul(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): MatMulPlan {
  const ra = aShape.length;
  const rb = bShape.length;
  const m = transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = transposeA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const kb = transposeB ? bShape[rb - 1]! : bShape[rb - 2]!;
  const n = transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  if (k !== kb) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${aShape} and ${bShape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const outBatch = broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const batch = sizeOf(outBatch);
  const plan: MatMulPlan = {
    batch, m, n, k, outShape: [...outBatch, m, n],
    a: operand(outBatch, aBatch, batch, m * k), b: operand(outBatch, bBatch, batch, k * n),
  };
  // A stack of row-major As times one shared B is one (batch*m) x k product: bigger blocks, one call.
  if (!transposeA && plan.a.index === null && plan.a.stride === m * k && plan.b.index === null && plan.b.stride === 0) {
    plan.m = batch * m;
    plan.batch = batch === 0 ? 0 : 1;
  }
  return plan;
}

function operand(outBatch: number[], inBatch: number[], count: number, size: number): Operand {
  const inCount = sizeOf(inBatch);
  if (inCount === 1) return { index: null, stride: 0 };
  if (inCount === count) return { index: null, stride: size }; // same batch dims (a broadcast would change the count)
  return { index: broadcastIndex(outBatch, inBatch, count), stride: 0 };
}

/** For each flat index into `outBatch`, the flat index into `inBatch` (right-aligned, size-1 dims broadcast). */
function broadcastIndex(outBatch: number[], inBatch: number[], count: number): Int32Array {
  const result = new Int32Array(count);
  const offset = outBatch.length - inBatch.length;
  for (let i = 0; i < count; i++) {
    let rest = i;
    let index = 0;
    let inStride = 1;
    for (let d = outBatch.length - 1; d >= 0; d--) {
      const outDim = outBatch[d]!;
      const coord = rest % outDim;
      rest = Math.floor(rest / outDim);
      const id = d - offset;
      if (id >= 0) {
        const inDim = inBatch[id]!;
        if (inDim !== 1) index += coord * inStride;
        inStride *= inDim;
      }
    }
    result[i] = index;
  }
  return result;
}

export interface Epilogue {
  bias?: TensorInfo;
  biasMode?: number;
  activation?: number;
  alpha?: number;
  residual?: TensorInfo;
}

/** A new tensor op(a) x op(b) (+ epilogue) for every output batch, computed on the wasm heap. */
export function gemmInto(
  native: NativeKernels, backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, e: Epilogue = {},
): TensorInfo {
  const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
  const out = backend.makeOutput(plan.outShape, 'float32');
  // Views only after makeOutput: the allocation may have grown (and replaced) the heap buffer.
  native.gemm(f32View(backend, a), f32View(backend, b), f32View(backend, out), plan.batch, plan.m, plan.n, plan.k, transposeA, transposeB,
    plan.a.index, plan.a.stride, plan.b.index, plan.b.stride, e.bias ? f32View(backend, e.bias) : null, e.biasMode ?? BIAS_NONE,
    e.activation ?? 0, e.alpha ?? 0.2, e.residual ? f32View(backend, e.residual) : null);
  return out;
}

type JsActivation = (x: Float32Array, alpha: number) => void;

/** tfjs's fused activations in JS, for the rare bias shapes the epilogue does not take (prelu has weights: see below). */
const JS_ACTIVATIONS: Record<string, JsActivation | null> = {
  linear: null,
  relu: (x) => { for (let i = 0; i < x.length; i++) if (x[i]! < 0) x[i] = 0; },
  relu6: (x) => { for (let i = 0; i < x.length; i++) { const v = x[i]!; x[i] = v < 0 ? 0 : v > 6 ? 6 : v; } },
  elu: (x) => { for (let i = 0; i < x.length; i++) { const v = x[i]!; if (v < 0) x[i] = Math.exp(v) - 1; } },
  leakyrelu: (x, alpha) => { for (let i = 0; i < x.length; i++) { const v = x[i]!; if (v < 0) x[i] = alpha * v; } },
  sigmoid: (x) => { for (let i = 0; i < x.length; i++) x[i] = 1 / (1 + Math.exp(-x[i]!)); },
  prelu: null,
};

/** x < 0 ? w * x : x, with w broadcast numpy-style to x's shape. */
function prelu(out: Float32Array, outShape: number[], w: Float32Array, wShape: number[]): void {
  const index = w.length === 1 ? undefined : broadcastIndex(outShape, wShape, out.length);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v < 0) out[i] = v * w[index ? index[i]! : 0]!;
  }
}

/** out += bias for a bias of any shape that broadcasts to out's (numpy rules), through coordinates. */
function addBiasBroadcast(out: Float32Array, outShape: number[], bias: Float32Array, biasShape: number[]): void {
  const index = broadcastIndex(outShape, biasShape, out.length);
  for (let i = 0; i < out.length; i++) out[i]! += bias[index[i]!]!;
}

/** How the epilogue can add this bias: a scalar, one value per output column, or not at all (undefined). */
function biasMode(bias: TensorInfo, n: number): number | undefined {
  const size = sizeOf(bias.shape);
  if (size === 1) return BIAS_SCALAR;
  if (size === n && bias.shape[bias.shape.length - 1] === n) return BIAS_COLUMN;
  return undefined;
}

export function installGemmKernels(native: NativeKernels): void {
  overrideKernel('BatchMatMul', 'wasm', GEMM_KERNEL_SET, (original) => (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args as never);
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    return gemmInto(native, args.backend as unknown as WasmBackendLike, a, b, transposeA, transposeB);
  });
  overrideKernel('_FusedMatMul', 'wasm', GEMM_KERNEL_SET, (original) => (args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
      transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number;
    };
    const name = activation ?? 'linear';
    const isPrelu = name === 'prelu';
    // The original kernel handles what we do not (non-float32). Note: tfjs 4.22's own wasm
    // _FusedMatMul adds the bias wrongly for batched inputs, so this one must cover float32 fully.
    if (!(name in JS_ACTIVATIONS) || (isPrelu && preluActivationWeights?.dtype !== 'float32') || a!.dtype !== 'float32' || b!.dtype !== 'float32' ||
      (bias != null && bias.dtype !== 'float32')) {
      return original(args as never);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const n = transposeB ? b!.shape[b!.shape.length - 2]! : b!.shape[b!.shape.length - 1]!;
    const mode = bias ? biasMode(bias, n) : BIAS_NONE;
    const epilogueAct = isPrelu ? 0 : ACTIVATION_CODES[name as keyof typeof ACTIVATION_CODES];
    if (mode !== undefined) {
      const out = gemmInto(native, backend, a!, b!, transposeA, transposeB, {
        bias: mode === BIAS_NONE ? undefined : bias, biasMode: mode, activation: epilogueAct, alpha: leakyreluAlpha ?? 0.2,
      });
      if (isPrelu) prelu(f32View(backend, out), out.shape, f32View(backend, preluActivationWeights!), preluActivationWeights!.shape);
      return out;
    }
    // A bias broadcast along other axes than the columns: the product, then bias and activation in JS.
    const out = gemmInto(native, backend, a!, b!, transposeA, transposeB);
    const view = f32View(backend, out);
    addBiasBroadcast(view, out.shape, f32View(backend, bias!), bias!.shape);
    JS_ACTIVATIONS[name]?.(view, leakyreluAlpha ?? 0.2);
    if (isPrelu) prelu(view, out.shape, f32View(backend, preluActivationWeights!), preluActivationWeights!.shape);
    return out;
  });
}

export function uninstallGemmKernels(): void {
  for (const name of GEMM_KERNELS) restoreKernel(name, 'wasm');
}
