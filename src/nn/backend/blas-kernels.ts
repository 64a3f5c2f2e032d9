/**
 * Matrix kernels for the wasm backend backed by native BLAS sgemm on views of the wasm heap.
 *
 * Measured (../shared/DESIGN.md): the wasm backend's own BatchMatMul reaches ~23 GFLOP/s without
 * transposes but ~1-2 GFLOP/s for transposed or batched operands, which every backward pass
 * uses; OpenBLAS sgemm reaches ~165 GFLOP/s on the same machine. tfjs expresses matMul
 * gradients as BatchMatMul calls with transposes, so these two kernels cover backward too.
 */
import { broadcast_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { Blas } from './nblas.js';
import { overrideKernel, restoreKernel, type KernelArgs } from './kernel-override.js';
import { memoryOffset, sizeOf, type WasmBackendLike } from './wasm-heap.js';

export const BLAS_KERNEL_SET = 'blas';
export const BLAS_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

interface MatMulPlan {
  m: number;
  n: number;
  k: number;
  outShape: number[];
  /** Per output batch, the batch index into a and into b (numpy broadcasting). */
  aIndex: Int32Array;
  bIndex: Int32Array;
  /** a's batches map one-to-one onto the output's and b has one: multiply as one (batch*m) x k matrix. */
  foldRows: boolean;
}

function planMatMul(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): MatMulPlan {
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
  const count = sizeOf(outBatch);
  const aIndex = broadcastIndex(outBatch, aBatch, count);
  const bIndex = broadcastIndex(outBatch, bBatch, count);
  const foldRows = !transposeA && sizeOf(bBatch) === 1 && sizeOf(aBatch) === count;
  return { m, n, k, outShape: [...outBatch, m, n], aIndex, bIndex, foldRows };
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

/** out = op(a) x op(b) for every output batch, written into the heap at `outOffset` (bytes). */
function runSgemm(
  blas: Blas, heap: ArrayBuffer, plan: MatMulPlan, aOffset: number, bOffset: number, outOffset: number,
  transposeA: boolean, transposeB: boolean,
): void {
  const { m, n, k } = plan;
  const count = plan.aIndex.length;
  const out = new Float32Array(heap, outOffset, count * m * n);
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0);
    return;
  }
  const tA = transposeA ? blas.Trans : blas.NoTrans;
  const tB = transposeB ? blas.Trans : blas.NoTrans;
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  if (plan.foldRows) {
    const rows = count * m;
    blas.sgemm(tA, tB, rows, n, k, 1, new Float32Array(heap, aOffset, rows * k), lda,
      new Float32Array(heap, bOffset, k * n), ldb, 0, out, n);
    return;
  }
  const aSize = m * k;
  const bSize = k * n;
  const oSize = m * n;
  for (let i = 0; i < count; i++) {
    blas.sgemm(tA, tB, m, n, k, 1,
      new Float32Array(heap, aOffset + plan.aIndex[i]! * aSize * 4, aSize), lda,
      new Float32Array(heap, bOffset + plan.bIndex[i]! * bSize * 4, bSize), ldb,
      0, new Float32Array(heap, outOffset + i * oSize * 4, oSize), n);
  }
}

function matMulInto(blas: Blas, backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
  const out = backend.makeOutput(plan.outShape, 'float32');
  // Views only after makeOutput: the allocation may have grown (and replaced) the heap buffer.
  runSgemm(blas, backend.wasm.HEAPU8.buffer as ArrayBuffer, plan, memoryOffset(backend, a), memoryOffset(backend, b),
    memoryOffset(backend, out), transposeA, transposeB);
  return out;
}

type Activation = (x: Float32Array, alpha: number) => void;

/** The fused activations, with tfjs's definitions (prelu is applied separately: it has weights). */
const ACTIVATIONS: Record<string, Activation | null> = {
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

/** out += bias, bias broadcast numpy-style to out's shape. */
function addBias(out: Float32Array, outShape: number[], bias: Float32Array, biasShape: number[]): void {
  const n = outShape[outShape.length - 1]!;
  if (bias.length === 1) {
    const v = bias[0]!;
    for (let i = 0; i < out.length; i++) out[i]! += v;
    return;
  }
  if (bias.length === n && biasShape[biasShape.length - 1] === n) {
    for (let row = 0; row < out.length; row += n) for (let j = 0; j < n; j++) out[row + j]! += bias[j]!;
    return;
  }
  // Any other broadcastable shape (rare): map each element through its coordinates.
  const index = broadcastIndex(outShape, biasShape, out.length);
  for (let i = 0; i < out.length; i++) out[i]! += bias[index[i]!]!;
}

export function installBlasKernels(blas: Blas): void {
  overrideKernel('BatchMatMul', 'wasm', BLAS_KERNEL_SET, (original) => (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args as never);
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    return matMulInto(blas, args.backend as unknown as WasmBackendLike, a, b, transposeA, transposeB);
  });
  overrideKernel('_FusedMatMul', 'wasm', BLAS_KERNEL_SET, (original) => (args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
      transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number;
    };
    const act = ACTIVATIONS[activation ?? 'linear'];
    const isPrelu = activation === 'prelu';
    // The original kernel handles what we do not (non-float32). Note: tfjs 4.22's own wasm
    // _FusedMatMul adds the bias wrongly for batched inputs, so this one must cover float32 fully.
    if (act === undefined || (isPrelu && preluActivationWeights?.dtype !== 'float32') || a!.dtype !== 'float32' || b!.dtype !== 'float32' ||
      (bias != null && bias.dtype !== 'float32')) {
      return original(args as never);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const out = matMulInto(blas, backend, a!, b!, transposeA, transposeB);
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    const outView = new Float32Array(heap, memoryOffset(backend, out), sizeOf(out.shape));
    if (bias != null) addBias(outView, out.shape, new Float32Array(heap, memoryOffset(backend, bias), sizeOf(bias.shape)), bias.shape);
    if (act) act(outView, leakyreluAlpha ?? 0.2);
    if (isPrelu) {
      const w = preluActivationWeights!;
      prelu(outView, out.shape, new Float32Array(heap, memoryOffset(backend, w), sizeOf(w.shape)), w.shape);
    }
    return out;
  });
}

export function uninstallBlasKernels(): void {
  for (const name of BLAS_KERNELS) restoreKernel(name, 'wasm');
}
