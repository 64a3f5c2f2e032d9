/**
 * fnd's GEMM (native/fnd-kernels) called directly, against a float64 reference: every transpose,
 * odd sizes around the micro-tiles and cache blocks, broadcast batches (zero strides, index
 * arrays), the fused epilogue (bias, activations, residual), aliasing, the portable build, one
 * thread vs the pool, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadNativeKernels, nativeKernelsPath, type NativeKernels } from '../../src/nn/backend/native-kernels.js';
import { ACTIVATION_CODES, BIAS_COLUMN, BIAS_NONE, BIAS_SCALAR } from '../../src/nn/backend/gemm-kernels.js';
import { createRng } from '../../src/util/rng.js';

const load = loadNativeKernels({});
if (!load.ok) throw new Error(`the native kernels must build here (g++ and node-gyp): ${load.reason}`);
const k: NativeKernels = load.kernels;

function values(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

interface Spec {
  batch: number; m: number; n: number; k: number; tA: boolean; tB: boolean;
  aIndex?: Int32Array | null; aStride?: number; bIndex?: Int32Array | null; bStride?: number;
  bias?: Float32Array | null; biasMode?: number; activation?: number; alpha?: number; residual?: Float32Array | null;
}

const INV_SQRT2 = Math.SQRT1_2;
function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 is what the kernels use; the reference is float64 to ~1e-15 instead
  // (Taylor series below 2, the continued fraction of erfc above), so the test also bounds A&S's error.
  const t = Math.abs(x);
  if (t >= 2) {
    let f = t;
    for (let n = 80; n >= 1; n--) f = t + n / 2 / f;
    return Math.sign(x) * (1 - Math.exp(-t * t) / (Math.sqrt(Math.PI) * f));
  }
  let sum = 0, term = t;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= -t * t / (n + 1);
    if (Math.abs(term) < 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
}
const ACT: ((x: number, alpha: number) => number)[] = [
  (x) => x,
  (x) => Math.max(x, 0),
  (x) => Math.min(Math.max(x, 0), 6),
  (x, alpha) => (x < 0 ? alpha * x : x),
  (x) => (x < 0 ? Math.exp(x) - 1 : x),
  (x) => 1 / (1 + Math.exp(-x)),
  (x) => x * 0.5 * (1 + erf(x * INV_SQRT2)),
];

/** The float64 reference of what `gemm` computes. */
function reference(a: Float32Array, b: Float32Array, s: Spec): Float64Array {
  const { batch, m, n } = s;
  const K = s.k;
  const out = new Float64Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    const ao = s.aIndex ? s.aIndex[i]! * m * K : i * (s.aStride ?? 0);
    const bo = s.bIndex ? s.bIndex[i]! * K * n : i * (s.bStride ?? 0);
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let sum = 0;
        for (let p = 0; p < K; p++) sum += a[ao + (s.tA ? p * m + r : r * K + p)]! * b[bo + (s.tB ? c * K + p : p * n + c)]!;
        if (s.biasMode === BIAS_SCALAR) sum += s.bias![0]!;
        if (s.biasMode === BIAS_COLUMN) sum += s.bias![c]!;
        sum = ACT[s.activation ?? 0]!(sum, s.alpha ?? 0.2);
        const o = i * m * n + r * n + c;
        if (s.residual) sum += s.residual[o]!;
        out[o] = sum;
      }
    }
  }
  return out;
}

function call(a: Float32Array, b: Float32Array, c: Float32Array, s: Spec): void {
  k.gemm(a, b, c, s.batch, s.m, s.n, s.k, s.tA, s.tB, s.aIndex ?? null, s.aStride ?? 0, s.bIndex ?? null, s.bStride ?? 0,
    s.bias ?? null, s.biasMode ?? BIAS_NONE, s.activation ?? 0, s.alpha ?? 0.2, s.residual ?? null);
}

/** max |expected - actual| relative to max(1, max |expected|). */
function relError(expected: Float64Array, actual: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let scale = 1, diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    diff = Math.max(diff, Math.abs(expected[i]! - actual[i]!));
  }
  return diff / scale;
}

/** Operands sized for a spec with plain strides (batch matrices one after another, or one when broadcast). */
function operands(s: Spec, seed: number): { a: Float32Array; b: Float32Array } {
  const aCount = s.aIndex ? Math.max(...s.aIndex) + 1 : s.aStride === 0 ? 1 : s.batch;
  const bCount = s.bIndex ? Math.max(...s.bIndex) + 1 : s.bStride === 0 ? 1 : s.batch;
  return { a: values(aCount * s.m * s.k, seed), b: values(bCount * s.k * s.n, seed + 1) };
}

function plain(batch: number, m: number, n: number, kk: number, tA: boolean, tB: boolean): Spec {
  return { batch, m, n, k: kk, tA, tB, aStride: m * kk, bStride: kk * n };
}

const TOLERANCE = 1e-5;
const ODD = [1, 7, 63, 65, 127, 513];

describe('fnd GEMM (native) against a float64 reference', () => {
  it('is fnd\'s own: no BLAS package in package.json, no BLAS library linked into the addon', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies };
    expect(Object.keys(deps).filter((name) => /blas/i.test(name))).toEqual([]);
    expect(readFileSync(new URL('../../native/fnd-kernels/binding.gyp', import.meta.url), 'utf8')).not.toMatch(/blas|libraries/i);
    const linked = execFileSync('ldd', [load.ok ? load.path : '']).toString();
    expect(linked).toMatch(/libc\.so/);
    expect(linked).not.toMatch(/blas|lapack|mkl/i);
  });

  it('reports its micro-kernel', () => {
    expect(k.gemmKernel).toMatch(/^(avx512f 12x32|avx2\+fma 6x16|portable 4x8|portable 8x8 \(neon\))$/);
  });

  // Every transpose combination over shapes built from the odd sizes (one of m, n, k large at a time).
  const shapes: [number, number, number][] = [];
  for (const big of ODD) for (const small of [1, 7, 65]) shapes.push([big, small, 63], [small, big, 127], [65, small, big]);
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      it(`op(A) x op(B), transA=${tA} transB=${tB}, m/n/k in {${ODD.join(', ')}}`, () => {
        let seed = 1;
        for (const [m, n, kk] of shapes) {
          const s = plain(1, m, n, kk, tA, tB);
          const { a, b } = operands(s, seed += 2);
          const c = new Float32Array(m * n).fill(Number.NaN); // every element must be written
          call(a, b, c, s);
          expect(relError(reference(a, b, s), c), `${m}x${n}x${kk}`).toBeLessThanOrEqual(TOLERANCE);
        }
      });
    }
  }

  it('a product larger than every cache block (K slices, M and N blocks, threads) stays within tolerance', () => {
    const s = plain(1, 600, 4200, 700, false, true);
    const { a, b } = operands(s, 7);
    const c = new Float32Array(s.m * s.n);
    call(a, b, c, s);
    // Check a sample of rows against the reference (the whole of it is 3.5 GFLOP in JS).
    const rows = [0, 1, 5, 191, 192, 383, 599];
    for (const r of rows) {
      const row = { ...s, m: 1 } as Spec;
      const expected = reference(a.subarray(r * s.k, (r + 1) * s.k), b, row);
      expect(relError(expected, c.subarray(r * s.n, (r + 1) * s.n)), `row ${r}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('batches: zero strides broadcast one operand, index arrays map any batch pattern, all transposes', () => {
    const cases: Spec[] = [
      { batch: 5, m: 7, n: 65, k: 63, tA: false, tB: true, aStride: 7 * 63, bStride: 0 },
      { batch: 5, m: 65, n: 7, k: 63, tA: true, tB: false, aStride: 0, bStride: 63 * 7 },
      { batch: 4, m: 1, n: 1, k: 1, tA: false, tB: false, aStride: 0, bStride: 0 },
      { batch: 6, m: 13, n: 17, k: 19, tA: true, tB: true, aIndex: Int32Array.from([0, 1, 2, 0, 1, 2]), bIndex: Int32Array.from([0, 0, 0, 1, 1, 1]) },
      { batch: 96, m: 63, n: 26, k: 63, tA: false, tB: false, aStride: 63 * 63, bStride: 63 * 26 },
    ];
    for (const s of cases) {
      const { a, b } = operands(s, 11);
      const c = new Float32Array(s.batch * s.m * s.n).fill(Number.NaN);
      call(a, b, c, s);
      expect(relError(reference(a, b, s), c), JSON.stringify({ ...s, aIndex: undefined, bIndex: undefined })).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('the epilogue: scalar and per-column bias, every activation, a residual (also the output itself)', () => {
    for (const [m, n, kk] of [[7, 65, 63], [127, 33, 9], [65, 513, 7], [1, 65, 63]] as const) {
      for (const biasMode of [BIAS_NONE, BIAS_SCALAR, BIAS_COLUMN]) {
        for (const activation of Object.values(ACTIVATION_CODES)) {
          const s: Spec = { ...plain(2, m, n, kk, false, true), biasMode, bias: biasMode === BIAS_NONE ? null : values(biasMode === BIAS_SCALAR ? 1 : n, 3), activation, alpha: 0.3 };
          const { a, b } = operands(s, 5);
          // Inputs scaled so that GELU, ELU and sigmoid see their whole range.
          for (let i = 0; i < a.length; i++) a[i]! *= 1.5;
          const c = new Float32Array(2 * m * n);
          call(a, b, c, s);
          const label = `${m}x${n}x${kk} bias ${biasMode} act ${activation}`;
          expect(relError(reference(a, b, s), c), label).toBeLessThanOrEqual(TOLERANCE);
          // With a residual: separate, then accumulated in place into the output that holds it.
          const residual = values(2 * m * n, 9);
          const withResidual = { ...s, residual };
          const expected = reference(a, b, withResidual);
          const separate = new Float32Array(2 * m * n);
          call(a, b, separate, withResidual);
          expect(relError(expected, separate), `${label} + residual`).toBeLessThanOrEqual(TOLERANCE);
          const inPlace = residual.slice();
          call(a, b, inPlace, { ...s, residual: inPlace });
          expect(relError(expected, inPlace), `${label} + residual in place`).toBeLessThanOrEqual(TOLERANCE);
        }
      }
    }
  });

  it('aliasing: A and B one array; an output overlapping an input or the bias reads the inputs as they were', () => {
    const m = 65, kk = 63;
    // A x Aᵀ from one array.
    const x = values(m * kk, 21);
    const gram = new Float32Array(m * m);
    const s = plain(1, m, m, kk, false, true);
    call(x, x, gram, s);
    expect(relError(reference(x, x, s), gram)).toBeLessThanOrEqual(TOLERANCE);
    // C written over A itself (a square product in place): the addon copies A first.
    const sq = plain(1, 63, 63, 63, false, false);
    const heap = values(63 * 63 * 2, 22);
    const a = heap.subarray(0, 63 * 63), b = heap.subarray(63 * 63);
    const expected = reference(a.slice(), b.slice(), sq);
    call(a, b, a, sq);
    expect(relError(expected, a)).toBeLessThanOrEqual(TOLERANCE);
    // C overlapping half of B, and a bias inside C.
    const buf = values(63 * 63 * 3, 23);
    const a2 = buf.subarray(0, 63 * 63), b2 = buf.subarray(63 * 63, 63 * 63 * 2), c2 = buf.subarray(63 * 63 + 63 * 31, 63 * 63 * 2 + 63 * 31);
    const bias = c2.subarray(5, 5 + 63);
    const s2: Spec = { ...sq, biasMode: BIAS_COLUMN, bias: bias.slice() };
    const expected2 = reference(a2.slice(), b2.slice(), s2);
    call(a2, b2, c2, { ...sq, biasMode: BIAS_COLUMN, bias });
    expect(relError(expected2, c2)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('empty products: k = 0 gives the epilogue of zeros; m = 0 or batch = 0 writes nothing', () => {
    const c = new Float32Array(6).fill(9);
    call(new Float32Array(0), new Float32Array(0), c, { ...plain(1, 2, 3, 0, false, false), bias: Float32Array.from([1, -2, 3]), biasMode: BIAS_COLUMN, activation: ACTIVATION_CODES.relu });
    expect(Array.from(c)).toEqual([1, 0, 3, 1, 0, 3]);
    const untouched = new Float32Array(4).fill(9);
    call(new Float32Array(0), new Float32Array(8), untouched, plain(1, 0, 4, 2, false, false));
    call(new Float32Array(8), new Float32Array(8), untouched, plain(0, 2, 2, 2, false, false));
    expect(Array.from(untouched)).toEqual([9, 9, 9, 9]);
  });

  it('refuses operands shorter than the shapes and bad codes, with a message (never reads or writes past them)', () => {
    const a = new Float32Array(6), b = new Float32Array(6);
    expect(() => call(a, b, new Float32Array(3), plain(1, 2, 2, 3, false, true))).toThrow(/c holds 3 values, the kernel needs 4/);
    expect(() => call(a, b, new Float32Array(8), plain(2, 2, 2, 3, false, true))).toThrow(/a holds 6 values, the kernel needs 12/);
    expect(() => call(a, b, new Float32Array(8), { ...plain(2, 2, 2, 3, false, true), aStride: 0, bIndex: Int32Array.from([0, 1]) })).toThrow(/b holds 6 values, the kernel needs 12/);
    expect(() => call(a, b, new Float32Array(8), { ...plain(2, 2, 2, 3, false, true), aStride: 0, bIndex: Int32Array.from([0]) })).toThrow(/b index holds 1 entries for 2 batches/);
    expect(() => call(a, b, new Float32Array(4), { ...plain(1, 2, 2, 3, false, true), aIndex: Int32Array.from([-1]) })).toThrow(/a index has a negative entry/);
    expect(() => call(a, b, new Float32Array(4), { ...plain(1, 2, 2, 3, false, true), activation: 7 })).toThrow(/activation must be 0\.\.6/);
    expect(() => call(a, b, new Float32Array(4), { ...plain(1, 2, 2, 3, false, true), biasMode: BIAS_COLUMN, bias: new Float32Array(1) })).toThrow(/bias holds 1 values, the kernel needs 2/);
    expect(() => call(a, b, new Float32Array(4), { ...plain(1, 2, 2, 3, false, true), biasMode: BIAS_SCALAR })).toThrow(/bias is required/);
    expect(() => call(a, b, new Float32Array(4), { ...plain(1, 2, 2, 3, false, true), residual: new Float32Array(3) })).toThrow(/residual holds 3 values, the kernel needs 4/);
  });

  it('one thread, the pool, and every instruction-set build compute the same products', () => {
    // The same products in children: FND_NATIVE_THREADS=1 (bit for bit: threads split whole tiles,
    // each element is summed in the same order), FND_NATIVE_ISA=avx2 and =baseline (their own micro-kernels).
    const body = `
      let s = 12345; const r = (n) => Float32Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 * 2 - 1; });
      const out = [];
      for (const [bt, m, n, kk, tA, tB] of [[1, 513, 300, 200, false, true], [1, 100, 700, 513, true, false], [3, 127, 65, 63, true, true], [96, 64, 26, 64, false, false]]) {
        const a = r(bt * m * kk), b = r(bt * kk * n), c = new Float32Array(bt * m * n), bias = r(n);
        k.gemm(a, b, c, bt, m, n, kk, tA, tB, null, m * kk, null, kk * n, bias, 2, 6, 0.2, null);
        out.push(Array.from(c));
      }
      return { isa: k.isa, gemm: k.gemmKernel, threads: k.threads, out };`;
    type Result = { isa: string; gemm: string; threads: number; out: number[][] };
    const here = new Function('k', body)(k) as Result;
    const script = `const k = require(${JSON.stringify(nativeKernelsPath())}); process.stdout.write(JSON.stringify((function (k) {${body}})(k)));`;
    const child = (env: Record<string, string>) =>
      JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, maxBuffer: 1 << 28 }).toString()) as Result;
    const single = child({ FND_NATIVE_THREADS: '1' });
    expect(single.threads).toBe(1);
    expect(single.out.length).toBe(4);
    // === (not Object.is): JSON carries -0 as 0.
    single.out.forEach((v, i) => expect(v.every((x, j) => x === here.out[i]![j])).toBe(true));
    for (const [isa, kernel] of [['avx2', /^(avx2\+fma 6x16|portable)/], ['baseline', /^portable/]] as const) {
      const other = child({ FND_NATIVE_ISA: isa });
      expect(other.gemm).toMatch(kernel);
      other.out.forEach((v, i) => {
        let scale = 1, diff = 0;
        v.forEach((x, j) => { scale = Math.max(scale, Math.abs(here.out[i]![j]!)); diff = Math.max(diff, Math.abs(x - here.out[i]![j]!)); });
        expect(diff / scale, isa).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  });
});
