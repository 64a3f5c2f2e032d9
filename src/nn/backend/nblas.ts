/**
 * Loading the optional native BLAS binding (npm `nblas`, built by node-gyp against the system
 * BLAS, e.g. Debian's libopenblas-dev). It is an optionalDependency: when its build failed the
 * package is absent or its `.node` file is missing, and we fall back to plain wasm.
 */
import { createRequire } from 'node:module';

/** The one routine we use: row-major cblas_sgemm on Float32Array views (offsets honoured). */
export interface Sgemm {
  (
    transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
  ): void;
}

export interface Blas {
  sgemm: Sgemm;
  NoTrans: number;
  Trans: number;
}

export type BlasLoad = { ok: true; blas: Blas } | { ok: false; reason: string };

const require = createRequire(import.meta.url);

export function loadBlas(): BlasLoad {
  let mod: Record<string, unknown>;
  try {
    require.resolve('nblas');
  } catch {
    return { ok: false, reason: 'no BLAS: optional package nblas is not installed (it needs libopenblas-dev to build)' };
  }
  try {
    // nblas falls back to a pure-JS file when its native build is missing; we only want the native one.
    require.resolve('nblas/build/Release/nblas.node');
  } catch {
    return { ok: false, reason: 'no BLAS: nblas is installed but its native build is missing (install libopenblas-dev, then npm rebuild nblas)' };
  }
  try {
    mod = require('nblas') as Record<string, unknown>;
  } catch (error) {
    return { ok: false, reason: `no BLAS: nblas failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
  if (typeof mod.sgemm !== 'function') return { ok: false, reason: 'no BLAS: nblas has no sgemm export' };
  const blas: Blas = { sgemm: mod.sgemm as Sgemm, NoTrans: mod.NoTrans as number, Trans: mod.Trans as number };
  // One tiny product proves the native code runs (a broken shared library fails here, not mid-training).
  const c = new Float32Array(1);
  blas.sgemm(blas.NoTrans, blas.NoTrans, 1, 1, 1, 1, new Float32Array([2]), 1, new Float32Array([3]), 1, 0, c, 1);
  if (c[0] !== 6) return { ok: false, reason: `no BLAS: nblas sgemm self-test gave ${c[0]} for 2*3` };
  return { ok: true, blas };
}
