/**
 * Timing one GEMM shape with fnd's native GEMM (and, when it is installed, OpenBLAS through the
 * npm package nblas, which fnd no longer depends on): shared by bench/gemm.ts and bench/bert-speed.ts.
 */
import { createRequire } from 'node:module';
import type { NativeKernels } from '../src/nn/backend/native-kernels.js';

export interface GemmShape {
  label: string;
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** row-major cblas_sgemm as nblas exposes it. */
export interface OpenBlas {
  sgemm(tA: number, tB: number, m: number, n: number, k: number, alpha: number, a: Float32Array, lda: number, b: Float32Array, ldb: number,
    beta: number, c: Float32Array, ldc: number): void;
  NoTrans: number;
  Trans: number;
}

/** OpenBLAS through nblas when present (`npm install --no-save nblas`, needs libopenblas-dev), or why not. */
export function loadOpenBlas(): OpenBlas | string {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('nblas/build/Release/nblas.node');
  } catch {
    return 'OpenBLAS not measured: nblas is not installed (npm install --no-save nblas; it builds against libopenblas-dev)';
  }
  return require('nblas') as OpenBlas;
}

export const flopsOf = (s: GemmShape): number => 2 * s.batch * s.m * s.n * s.k;

interface Operands { a: Float32Array; b: Float32Array; c: Float32Array }

function operands(s: GemmShape): Operands {
  const a = new Float32Array(s.batch * s.m * s.k);
  const b = new Float32Array(s.batch * s.k * s.n);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  for (let i = 0; i < b.length; i++) b[i] = ((i * 104729) % 1000) / 1000 - 0.5;
  return { a, b, c: new Float32Array(s.batch * s.m * s.n) };
}

export function fndRunner(kernels: NativeKernels, s: GemmShape): () => void {
  const { a, b, c } = operands(s);
  return () => kernels.gemm(a, b, c, s.batch, s.m, s.n, s.k, s.transA, s.transB, null, s.m * s.k, null, s.k * s.n, null, 0, 0, 0, null);
}

export function openBlasRunner(blas: OpenBlas, s: GemmShape): () => void {
  const { a, b, c } = operands(s);
  const tA = s.transA ? blas.Trans : blas.NoTrans;
  const tB = s.transB ? blas.Trans : blas.NoTrans;
  const lda = s.transA ? s.m : s.k;
  const ldb = s.transB ? s.k : s.n;
  const views = Array.from({ length: s.batch }, (_, i) => [
    a.subarray(i * s.m * s.k, (i + 1) * s.m * s.k), b.subarray(i * s.k * s.n, (i + 1) * s.k * s.n), c.subarray(i * s.m * s.n, (i + 1) * s.m * s.n),
  ] as const);
  return () => {
    for (const [av, bv, cv] of views) blas.sgemm(tA, tB, s.m, s.n, s.k, 1, av, lda, bv, ldb, 0, cv, s.n);
  };
}

/** Time in ms since `start` of the given clock: wall, or this process's CPU time (user + system). */
export type Clock = 'wall' | 'cpu';
function now(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Best-of-`rounds` GFLOP/s of `run` (each round at least `minMs` of repeated calls, after a
 * warm-up). The CPU clock counts only this process's work, so on a machine loaded by others it
 * still measures the code; it is meaningful for one thread (FND_NATIVE_THREADS=1,
 * OPENBLAS_NUM_THREADS=1), where CPU time and run time coincide.
 */
export function gflops(run: () => void, flops: number, rounds = 5, minMs = 30, clock: Clock = 'wall'): number {
  run();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = now(clock);
    let elapsed = 0;
    do {
      run();
      calls++;
      elapsed = now(clock) - start;
    } while (elapsed < minMs);
    best = Math.min(best, elapsed / calls);
  }
  return flops / (best / 1000) / 1e9;
}

/** The machine's large-GEMM rate with fnd's GEMM: a 2048^3 product (the denominator of the benchmarks' fractions). */
export const LARGE_GEMM: GemmShape = { label: 'large 2048x2048x2048', batch: 1, m: 2048, n: 2048, k: 2048, transA: false, transB: false };
