/**
 * JS kernels over wasm heap views that replace slow tfjs-backend-wasm kernels, where profiling
 * the TinyBERT benchmark showed them heavy (see bench/bert-speed.ts):
 *  - GatherV2 (embedding lookup): the wasm kernel took ~100 ms per lookup of 1024 rows from the
 *    30522 x 312 table at batch 8, seq 128; a row copy takes well under a millisecond.
 *  - Identity (tf.clone; the engine clones every tensor it saves for backprop, ~110 per layer per
 *    step): the wasm kernel copies the data; here the clone shares it, as the cpu backend and
 *    wasm's own Reshape do (reference counted by the backend), which also halves what backprop keeps.
 *  - Slice (position embeddings, the [CLS] rows): the wasm kernel took ~3 ms per call on TinyBERT
 *    inference (5% of it); here one copy per contiguous run.
 *  - UnsortedSegmentSum (the embedding gradient), with the native kernels only: one pass in C++
 *    where missing-kernels.ts's JS loop took ~2 ms per step for the demo model's 30522 x 64 table.
 * With the native kernels (native-kernels.ts) the row copies run there too. Anything outside what
 * is implemented here goes to the original kernel.
 */
import { slice_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { overrideKernel, restoreKernel, type KernelArgs } from './kernel-override.js';
import { f32View, memoryOffset, sizeOf, type WasmBackendLike } from './wasm-heap.js';
import type { NativeKernels } from './native-kernels.js';

export const FUSED_KERNEL_SET = 'fused';
export const FUSED_KERNELS: readonly string[] = ['GatherV2', 'Identity', 'Slice', 'UnsortedSegmentSum'];

export function installFusedKernels(native?: NativeKernels): void {
  overrideKernel('GatherV2', 'wasm', FUSED_KERNEL_SET, (original) => (args: KernelArgs) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const rank = x.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    if (ax !== 0 || (batchDims ?? 0) !== 0 || indices.dtype !== 'int32' || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
      return original(args as never);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const rows = x.shape[0]!;
    const inner = sizeOf(x.shape.slice(1));
    const count = sizeOf(indices.shape);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    const Ctor = x.dtype === 'float32' ? Float32Array : Int32Array;
    const src = new Ctor(heap, memoryOffset(backend, x), rows * inner);
    const dst = new Ctor(heap, memoryOffset(backend, out), count * inner);
    const ids = new Int32Array(heap, memoryOffset(backend, indices), count);
    if (native) {
      native.gatherRows(src, ids, dst, inner);
      return out;
    }
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      // tfjs validates indices on the cpu backend only; out-of-range rows read as zeros, as on GPUs.
      if (id < 0 || id >= rows) dst.fill(0, i * inner, (i + 1) * inner);
      else dst.set(src.subarray(id * inner, (id + 1) * inner), i * inner);
    }
    return out;
  });
  overrideKernel('Identity', 'wasm', FUSED_KERNEL_SET, (original) => (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return original(args as never);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  overrideKernel('Slice', 'wasm', FUSED_KERNEL_SET, (original) => (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return original(args as never);
    const [starts, sizes] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(sizes, x.dtype);
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    const Ctor = x.dtype === 'float32' ? Float32Array : Int32Array;
    copySlice(new Ctor(heap, memoryOffset(backend, x), sizeOf(x.shape)), x.shape, starts, sizes, new Ctor(heap, memoryOffset(backend, out), sizeOf(sizes)));
    return out;
  });
  if (native) {
    overrideKernel('UnsortedSegmentSum', 'wasm', FUSED_KERNEL_SET, (original) => (args: KernelArgs) => {
      const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const { numSegments } = args.attrs as { numSegments: number };
      if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32') return original(args as never);
      const backend = args.backend as unknown as WasmBackendLike;
      const rows = sizeOf(segmentIds.shape);
      const inner = rows === 0 ? sizeOf(x.shape.slice(segmentIds.shape.length)) : sizeOf(x.shape) / rows;
      const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
      const ids = new Int32Array(backend.wasm.HEAPU8.buffer, memoryOffset(backend, segmentIds), rows);
      native.segmentSum(f32View(backend, x), ids, f32View(backend, out), inner);
      return out;
    });
  }
}

/** dst = src[starts : starts + sizes] (row-major), one copy per contiguous run. */
export function copySlice(src: Float32Array | Int32Array, shape: number[], starts: number[], sizes: number[], dst: Float32Array | Int32Array): void {
  const rank = shape.length;
  if (sizes.some((d) => d === 0)) return;
  // The run: trailing axes taken whole, plus the innermost axis that is cut.
  let axis = rank - 1;
  let whole = 1;
  while (axis >= 0 && starts[axis] === 0 && sizes[axis] === shape[axis]) whole *= shape[axis--]!;
  if (axis < 0) {
    dst.set(src.subarray(0, whole));
    return;
  }
  const run = sizes[axis]! * whole;
  const strides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) { strides[d] = s; s *= shape[d]!; }
  const index = new Array<number>(axis).fill(0);
  for (let at = 0; at < dst.length; at += run) {
    let from = starts[axis]! * strides[axis]!;
    for (let d = 0; d < axis; d++) from += (starts[d]! + index[d]!) * strides[d]!;
    dst.set(src.subarray(from, from + run), at);
    for (let d = axis - 1; d >= 0; d--) {  // odometer over the outer axes
      if (++index[d]! < sizes[d]!) break;
      index[d] = 0;
    }
  }
}

export function uninstallFusedKernels(): void {
  for (const name of FUSED_KERNELS) restoreKernel(name, 'wasm');
}
