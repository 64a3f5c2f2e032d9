/**
 * Loading fnd's own optional native kernels (native/fnd-kernels, built in place by node-gyp from
 * fnd's install script, scripts/build-native.mjs; it links no BLAS): fnd's GEMM and fused
 * attention softmax/dropout, erf GELU, LayerNorm and AdamW, vectorised (AVX2+FMA where the CPU has
 * it, portable C++ otherwise) and split over one thread pool, in place on Float32Array views of
 * the wasm heap. When the build failed the `.node` file is missing and the `wasm-blas` backend is
 * unavailable (plain `wasm` runs instead).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';

/** The addon's functions (see native/fnd-kernels/src/addon.cc for the exact contracts). */
export interface NativeKernels {
  attentionProbs(scores: Float32Array, mask: Float32Array, probs: Float32Array, dropped: Float32Array | null, S: number, rowsPerBatch: number, rate: number, seed: number): void;
  attentionDropout(probs: Float32Array, out: Float32Array, rate: number, seed: number): void;
  attentionProbsGrad(dy: Float32Array, probs: Float32Array, dx: Float32Array, S: number, rate: number, seed: number): void;
  gelu(x: Float32Array, y: Float32Array): void;
  geluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array, y: Float32Array, xhat: Float32Array, rstd: Float32Array, cols: number, eps: number): void;
  layerNormGrad(dy: Float32Array, xhat: Float32Array, rstd: Float32Array, weight: Float32Array, dx: Float32Array, dWeight: Float32Array, dBias: Float32Array, cols: number): void;
  adamw(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, scale: number, b1: number, b2: number, c1: number, c2: number,
    stepSize: number, invBc2Sqrt: number, eps: number, decay: number): void;
  sumSquares(values: Float32Array): number;
  /**
   * h = (op(a_i) op(b_i) + bias) * scale, c[i] = dropout(act(h)) + residual for output batch i (m x n,
   * row-major), a_i at element (aIndex ? aIndex[i] * m*k : i * aStride) of a (stride 0 broadcasts),
   * b_i likewise; h also into preact when given; dropout (rate > 0) by attentionDropout's hash of
   * (seed, flat index). biasMode 0 none, 1 scalar, 2 per column; activation codes in gemm-kernels.ts.
   */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean,
    aIndex: Int32Array | null, aStride: number, bIndex: Int32Array | null, bStride: number,
    bias: Float32Array | null, biasMode: number, activation: number, alpha: number, residual: Float32Array | null,
    scale?: number, rate?: number, seed?: number, preact?: Float32Array | null): void;
  /** out row i = table row ids[i] (zeros for ids out of range); Float32Array or Int32Array, both the same. */
  gatherRows(table: Float32Array | Int32Array, ids: Int32Array, out: Float32Array | Int32Array, inner: number): void;
  /** out = 0, then out row ids[i] += x row i (ids out of range dropped): UnsortedSegmentSum. */
  segmentSum(x: Float32Array, ids: Int32Array, out: Float32Array, inner: number): void;
  /** The GEMM micro-kernel in use, e.g. "avx2+fma 6x16". */
  gemmKernel: string;
  /** The instruction set the kernels dispatched to ("avx2+fma" or "x86-64 baseline"). */
  isa: string;
  /** Threads the big kernels split across (FND_NATIVE_THREADS, else the core count, at most 8). */
  threads: number;
}

export type NativeLoad = { ok: true; kernels: NativeKernels; path: string } | { ok: false; reason: string };

const FUNCTIONS = ['attentionProbs', 'attentionDropout', 'attentionProbsGrad', 'gelu', 'geluGrad', 'layerNorm', 'layerNormGrad', 'adamw', 'sumSquares', 'gemm', 'gatherRows', 'segmentSum'] as const;

const require = createRequire(import.meta.url);

/** Where scripts/build-native.mjs puts the compiled addon. */
export function nativeKernelsPath(): string {
  return join(packageRoot, 'native', 'fnd-kernels', 'build', 'Release', 'fnd_kernels.node');
}

export function loadNativeKernels(env: NodeJS.ProcessEnv = process.env): NativeLoad {
  if (env.FND_NATIVE_KERNELS === '0') return { ok: false, reason: 'native kernels turned off (FND_NATIVE_KERNELS=0)' };
  // Built in place by fnd's install script (scripts/build-native.mjs), not a separate package.
  const path = nativeKernelsPath();
  if (!existsSync(path)) {
    return {
      ok: false,
      reason: `native kernels not built (${path} is missing; it needs a C++ compiler, make and python3): build them with \`node ${join(packageRoot, 'scripts', 'build-native.mjs')}\``,
    };
  }
  let mod: Record<string, unknown>;
  try {
    mod = require(path) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, reason: `native kernels failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
  const missing = FUNCTIONS.filter((name) => typeof mod[name] !== 'function');
  if (missing.length > 0) return { ok: false, reason: `native kernels lack ${missing.join(', ')} (stale build? rebuild them with: node scripts/build-native.mjs --force)` };
  const kernels = mod as unknown as NativeKernels;
  // A tiny GELU proves the code runs on this CPU (gelu(1) = 0.8413447).
  const y = new Float32Array(1);
  kernels.gelu(new Float32Array([1]), y);
  if (!(Math.abs(y[0]! - 0.8413447) < 1e-6)) return { ok: false, reason: `native kernels self-test gave gelu(1) = ${y[0]}` };
  // And a 1x2x1 product with a bias: [2] x [3, 4] + 1 = [7, 9].
  const c = new Float32Array(2);
  kernels.gemm(new Float32Array([2]), new Float32Array([3, 4]), c, 1, 1, 2, 1, false, false, null, 0, null, 0, new Float32Array([1]), 1, 0, 0, null);
  if (c[0] !== 7 || c[1] !== 9) return { ok: false, reason: `native kernels self-test gave [${c}] for [2] x [3, 4] + 1` };
  return { ok: true, kernels, path };
}
