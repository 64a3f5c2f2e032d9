/**
 * A tensor as read from a checkpoint file: dtype, shape and contiguous little-endian bytes
 * (row-major), before it is turned into model weights.
 */

export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Record<DType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface RawTensor {
  dtype: DType;
  shape: number[];
  /** Row-major, little-endian, exactly numel * DTYPE_BYTES[dtype] bytes. */
  bytes: Uint8Array;
}

export type StateDict = Map<string, RawTensor>;

export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

/** IEEE half → float (exact: every half is a float). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The values as float32 (float16 / bfloat16 / float64 converted). Floats only. */
export function toFloat32(t: RawTensor): Float32Array {
  const n = numel(t.shape);
  // Copy into a fresh buffer: the source bytes may sit at an offset that is not 4-aligned.
  const aligned = t.bytes.slice(0, n * DTYPE_BYTES[t.dtype]);
  switch (t.dtype) {
    case 'F32':
      return new Float32Array(aligned.buffer, 0, n);
    case 'F64':
      return Float32Array.from(new Float64Array(aligned.buffer, 0, n));
    case 'F16': {
      const src = new Uint16Array(aligned.buffer, 0, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i]!);
      return out;
    }
    case 'BF16': {
      const src = new Uint16Array(aligned.buffer, 0, n);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
      return new Float32Array(bits.buffer);
    }
    default:
      throw new Error(`internal: toFloat32 on ${t.dtype}`);
  }
}

export function float32Raw(data: Float32Array, shape: number[]): RawTensor {
  return { dtype: 'F32', shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
