/**
 * fnd's GEMM against OpenBLAS on the shapes TinyBERT's training step multiplies (batch 8, hidden
 * 312, FFN 1200, 12 heads of 26), forward and backward, measured interleaved in one run.
 *
 *   node --import tsx bench/gemm.ts [--seq 128] [--rounds 5] [--cpu-time]
 *
 * --cpu-time times by this process's CPU time instead of the wall clock: on a machine loaded by
 * others, run it single-threaded (FND_NATIVE_THREADS=1 OPENBLAS_NUM_THREADS=1) for figures that
 * do not depend on the load.
 *
 * OpenBLAS is measured when the npm package nblas is installed (fnd does not depend on it:
 * `npm install --no-save nblas` with libopenblas-dev). Threads: FND_NATIVE_THREADS for fnd,
 * OPENBLAS_NUM_THREADS for OpenBLAS (both default to every core).
 */
import { cpus, loadavg } from 'node:os';
import { loadNativeKernels } from '../src/nn/backend/native-kernels.js';
import { LARGE_GEMM, flopsOf, fndRunner, gflops, loadOpenBlas, openBlasRunner, type Clock, type GemmShape } from './gemm-rate.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function tinyBertShapes(seq: number, batch = 8): GemmShape[] {
  const N = batch * seq, H = 312, F = 1200, heads = batch * 12, dh = 26;
  const s = (label: string, b: number, m: number, n: number, k: number, transA: boolean, transB: boolean): GemmShape => ({ label, batch: b, m, n, k, transA, transB });
  return [
    s('q/k/v/out x Wᵀ', 1, N, H, H, false, true),
    s('FFN up x Wᵀ', 1, N, F, H, false, true),
    s('FFN down x Wᵀ', 1, N, H, F, false, true),
    s('dX FFN up dy W', 1, N, H, F, false, false),
    s('dW FFN up dyᵀ x', 1, F, H, N, true, false),
    s('scores q kᵀ', heads, seq, seq, dh, false, true),
    s('context P v', heads, seq, dh, seq, false, false),
    s('dP dy vᵀ', heads, seq, seq, dh, false, true),
    s('dV Pᵀ dy', heads, seq, dh, seq, true, false),
    LARGE_GEMM,
  ];
}

const load = loadNativeKernels();
if (!load.ok) throw new Error(load.reason);
const fnd = load.kernels;
const blas = loadOpenBlas();
const seq = Number(arg('seq') ?? 128);
const rounds = Number(arg('rounds') ?? 5);
const clock: Clock = process.argv.includes('--cpu-time') ? 'cpu' : 'wall';
console.log(`fnd GEMM ${fnd.gemmKernel}, ${fnd.threads} thread(s); ${cpus().length} cores (${cpus()[0]?.model}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (typeof blas === 'string') console.log(blas);
console.log(`TinyBERT shapes, batch 8, seq ${seq} (GFLOP/s by ${clock === 'cpu' ? 'CPU time' : 'wall clock'}, best of ${rounds}, fnd and OpenBLAS interleaved; OpenBLAS threads: ${process.env.OPENBLAS_NUM_THREADS ?? 'all cores'}):`);
let fndTime = 0, blasTime = 0;
const rows: unknown[] = [];
for (const shape of tinyBertShapes(seq)) {
  const flops = flopsOf(shape);
  const ours = fndRunner(fnd, shape);
  const theirs = typeof blas === 'string' ? undefined : openBlasRunner(blas, shape);
  // Alternate the two, so a burst of load from elsewhere hits both alike.
  let f = 0, o = 0;
  for (let r = 0; r < 2; r++) {
    f = Math.max(f, gflops(ours, flops, rounds, 30, clock));
    if (theirs) o = Math.max(o, gflops(theirs, flops, rounds, 30, clock));
  }
  const dims = `${shape.batch > 1 ? `${shape.batch} x ` : ''}${shape.m}x${shape.n}x${shape.k} ${shape.transA ? 'T' : 'N'}${shape.transB ? 'T' : 'N'}`;
  console.log(`  ${shape.label.padEnd(22)} ${dims.padEnd(24)} fnd ${f.toFixed(1).padStart(6)}   openblas ${theirs ? o.toFixed(1).padStart(6) : '     -'}   ratio ${theirs ? `${(f / o).toFixed(2)}x` : 'n/a'}`);
  if (shape !== LARGE_GEMM) {
    fndTime += flops / f;
    if (theirs) blasTime += flops / o;
  }
  rows.push({ ...shape, fnd: f, openblas: theirs ? o : null });
}
if (blasTime > 0) console.log(`all TinyBERT shapes once each (time-weighted): fnd ${(blasTime / fndTime).toFixed(2)}x OpenBLAS`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(JSON.stringify({ gemmKernel: fnd.gemmKernel, threads: fnd.threads, clock, seq, rows }));
