/**
 * Direct access to tensors living on the tfjs wasm backend's heap. Kernels written in JS (or
 * calling native BLAS) read inputs and write outputs here without copies.
 *
 * The heap's ArrayBuffer is replaced whenever wasm memory grows, so views must be taken AFTER
 * every allocation of a kernel (i.e. after `makeOutput`), never cached across calls.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm that replacement kernels use. */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number; shape: number[]; dtype: string } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
  refCount(dataId: DataId): number;
}

export function memoryOffset(backend: WasmBackendLike, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data == null) throw new Error('wasm kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A Float32Array over a tensor's storage (length = element count), valid until the next allocation. */
export function f32View(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset(backend, t), sizeOf(t.shape));
}
