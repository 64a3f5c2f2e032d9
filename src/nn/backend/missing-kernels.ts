/**
 * Kernels tfjs-backend-wasm 4.22 lacks but training needs. UnsortedSegmentSum is the gradient
 * of gather (every embedding lookup), so without it no BERT can train on wasm.
 * These are additions, not replacements: registered only when the backend has none.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-override.js';
import { memoryOffset, sizeOf, type WasmBackendLike } from './wasm-heap.js';

export const ADDED_KERNELS = ['UnsortedSegmentSum'] as const;

/** out[s, ...] = sum of x[i, ...] over rows i with segmentIds[i] = s; ids outside [0, numSegments) are dropped, as in TF. */
function unsortedSegmentSum(args: KernelArgs): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as { numSegments: number };
  const backend = args.backend as unknown as WasmBackendLike;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum on wasm: unsupported dtype ${x.dtype}`);
  const rows = sizeOf(segmentIds.shape);
  const inner = rows === 0 ? sizeOf(x.shape.slice(segmentIds.shape.length)) : sizeOf(x.shape) / rows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const Ctor = x.dtype === 'float32' ? Float32Array : Int32Array;
  const o = new Ctor(heap, memoryOffset(backend, out), numSegments * inner);
  const xs = new Ctor(heap, memoryOffset(backend, x), rows * inner);
  const ids = segmentIds.dtype === 'int32'
    ? new Int32Array(heap, memoryOffset(backend, segmentIds), rows)
    : Int32Array.from(new Float32Array(heap, memoryOffset(backend, segmentIds), rows));
  o.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = ids[r]!;
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j]! += xs[src + j]!;
  }
  return out;
}

export function installMissingKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') == null) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as KernelFunc });
  }
}
