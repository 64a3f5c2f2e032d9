import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend, installBertKernels } from '../../src/nn/backend/index.js';
import { activeNativeKernels, LAYER_NORM, LAYER_NORM_GRAD, useFused } from '../../src/nn/backend/bert-kernels.js';
import { loadNativeKernels, nativeKernelsPath, type NativeKernels } from '../../src/nn/backend/native-kernels.js';
import { layerNorm } from '../../src/nn/bert/layers.js';
import { AdamW } from '../../src/nn/train/adamw.js';
import { createRng } from '../../src/util/rng.js';
import { execFileSync } from 'node:child_process';

function values(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Runs one fnd kernel by name on wasm and returns copies of its outputs. */
function kernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}): Float32Array[] {
  const out = tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const copies = outs.map((t) => (t.dataSync() as Float32Array).slice());
  tf.dispose(outs);
  return copies;
}

/** The same kernel call with the JS kernels installed, then with the native ones. */
function bothWays(native: NativeKernels, f: () => Float32Array[]): { js: Float32Array[]; nat: Float32Array[] } {
  installBertKernels();
  const js = tf.tidy(f);
  installBertKernels(native);
  const nat = tf.tidy(f);
  return { js, nat };
}

// Odd sizes on purpose: rows whose length is not a multiple of the 8-wide vectors take the tail path.
const B = 3, H = 2, S = 21;
const MIN = -3.4028234663852886e38;

describe('native kernels (fnd-kernels) equal the JS kernels and the tf ops they replace', () => {
  let native: NativeKernels;
  beforeAll(async () => {
    const load = loadNativeKernels({});
    if (!load.ok) throw new Error(`the native kernels must build here (g++, make, python3: \`npm run setup\`): ${load.reason}`);
    native = load.kernels;
    await initBackend({ prefer: 'wasm-blas', env: {} });
  });

  it('load, report their instruction set, and back the wasm-blas backend', () => {
    expect(['avx2+fma', 'baseline (no AVX2+FMA)']).toContain(native.isa);
    expect(native.threads).toBeGreaterThanOrEqual(1);
    expect(activeNativeKernels()).toBe(native);
    expect(useFused(LAYER_NORM)).toBe(true);
  });

  it('attention softmax + mask + dropout: same probabilities, the same dropout mask bit for bit', () => {
    const scores = () => tf.tensor(values(B * H * S * S, 1, 6), [B, H, S, S]);
    const mask = () => tf.tensor(Float32Array.from({ length: B * S }, (_, i) => (i % S > S - 4 && i >= S ? MIN : 0)), [B, 1, 1, S]);
    for (const rate of [0, 0.1, 0.5]) {
      const { js, nat } = bothWays(native, () => kernel('FndAttentionProbs', { scores: scores(), mask: mask() }, { rate, seed: 1234567 }));
      expect(nat.length).toBe(rate > 0 ? 2 : 1);
      expect(maxDiff(nat[0]!, js[0]!)).toBeLessThan(1e-6);
      if (rate > 0) {
        for (let i = 0; i < js[1]!.length; i++) expect(nat[1]![i] === 0).toBe(js[1]![i] === 0);
        expect(maxDiff(nat[1]!, js[1]!)).toBeLessThan(2e-6 / (1 - rate));
      }
      // Masked keys get probability exactly 0; rows sum to 1.
      expect(nat[0]![(B * H * S - 1) * S + S - 1]).toBe(0);
      let sum = 0;
      for (let j = 0; j < S; j++) sum += nat[0]![j]!;
      expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
    }
  });

  it('attention dropout again and the attention gradient, with negative and large seeds', () => {
    const probs = () => tf.softmax(tf.tensor(values(B * H * S * S, 2, 3), [B, H, S, S]), -1);
    const dy = () => tf.tensor(values(B * H * S * S, 3), [B, H, S, S]);
    for (const [rate, seed] of [[0, 0], [0.1, -77], [0.3, 2 ** 33 + 5]] as const) {
      const { js, nat } = bothWays(native, () => [
        ...(rate > 0 ? kernel('FndAttentionDropout', { probs: probs() }, { rate, seed }) : []),
        ...kernel('FndAttentionProbsGrad', { dy: dy(), probs: probs() }, { rate, seed }),
      ]);
      for (let i = 0; i < js.length; i++) expect(maxDiff(nat[i]!, js[i]!)).toBeLessThan(2e-6);
    }
  });

  it('erf GELU and its gradient, over a wide range', () => {
    const n = 1001;
    const x = () => tf.tensor(values(n, 4, 12), [7, 143]);
    const dy = () => tf.tensor(values(n, 5), [7, 143]);
    const { js, nat } = bothWays(native, () => [...kernel('FndGelu', { x: x() }), ...kernel('FndGeluGrad', { dy: dy(), x: x() })]);
    expect(maxDiff(nat[0]!, js[0]!)).toBeLessThan(2e-6);
    expect(maxDiff(nat[1]!, js[1]!)).toBeLessThan(2e-6);
  });

  it('LayerNorm forward and backward equal the tf-ops LayerNorm', () => {
    const rows = 37, cols = 45;
    const x = () => tf.tensor(values(rows * cols, 6, 3), [rows, cols]) as tf.Tensor2D;
    const w = () => tf.tensor(values(cols, 7), [cols]);
    const b = () => tf.tensor(values(cols, 8), [cols]);
    const dy = () => tf.tensor(values(rows * cols, 9), [rows, cols]);
    const f = () => {
      const g = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, c, d, 1e-12), dy())));
      return [layerNorm(x(), w(), b(), 1e-12), ...g([x(), w(), b()])].map((t) => (t.dataSync() as Float32Array).slice());
    };
    const { js, nat } = bothWays(native, () => {
      // Without the native kernels installed, LayerNorm has no fused kernel: the tf ops run.
      return f();
    });
    expect(tf.getKernel(LAYER_NORM_GRAD, 'wasm')).toBeDefined();
    expect(maxDiff(nat[0]!, js[0]!)).toBeLessThan(2e-6);
    expect(maxDiff(nat[1]!, js[1]!)).toBeLessThan(1e-5);
    expect(maxDiff(nat[2]!, js[2]!)).toBeLessThan(1e-5);
    expect(maxDiff(nat[3]!, js[3]!)).toBeLessThan(1e-5);
  });

  it('AdamW: the native update equals the JS one within a float32 ulp, in place on the wasm heap', () => {
    const run = (withNative: boolean) => {
      if (withNative) installBertKernels(native);
      else installBertKernels();
      const params = new Map([['w.weight', tf.variable(tf.tensor(values(1000, 10), [10, 100]))], ['b.bias', tf.variable(tf.tensor(values(7, 11), [7]))]]);
      const opt = new AdamW([...params].map(([name, variable]) => ({ name, variable, weightDecay: name.endsWith('bias') ? 0 : 0.1 })), { lr: 1e-2 });
      const grads = new Map([['w.weight', values(1000, 12)], ['b.bias', values(7, 13)]]);
      for (let i = 0; i < 3; i++) opt.step(grads, { gradScale: 0.7 });
      const out = [...params.values()].map((p) => (p.dataSync() as Float32Array).slice());
      const moments = [...opt.state().moments.values()].flatMap((s) => [s.m.slice(), s.v.slice()]);
      for (const p of params.values()) p.dispose();
      return [...out, ...moments];
    };
    const js = run(false);
    const nat = run(true);
    for (let i = 0; i < js.length; i++) expect(maxDiff(nat[i]!, js[i]!)).toBeLessThan(1e-7);
  });

  it('sumSquares accumulates in float64', () => {
    const v = values(100_003, 14, 2);
    let want = 0;
    for (let i = 0; i < v.length; i++) want += v[i]! * v[i]!;
    expect(Math.abs(native.sumSquares(v) - want) / want).toBeLessThan(1e-12);
  });

  it('the portable (non-AVX2) build computes what the AVX2 build computes', () => {
    // Every kernel on fixed inputs, as a function body run here and in a child forced to the baseline build.
    const body = `
      let s = 12345; const r = (n, sc) => Float32Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) % 2147483648; return (s / 2147483648 * 2 - 1) * sc; });
      const S = 13, rows = 2 * 3 * S, n = rows * S, x = r(n, 5), m = r(2 * S, 1), g = r(n, 1), p = new Float32Array(n), d = new Float32Array(n), pg = new Float32Array(n);
      k.attentionProbs(x, m, p, d, S, 3 * S, 0.2, -9); k.attentionProbsGrad(g, p, pg, S, 0.2, -9);
      const y = new Float32Array(n), yg = new Float32Array(n); k.gelu(x, y); k.geluGrad(g, x, yg);
      const w = r(S, 1), b = r(S, 1), ln = new Float32Array(n), xh = new Float32Array(n), rs = new Float32Array(rows), dx = new Float32Array(n), dw = new Float32Array(S), db = new Float32Array(S);
      k.layerNorm(x, w, b, ln, xh, rs, S, 1e-12); k.layerNormGrad(g, xh, rs, w, dx, dw, db, S);
      const pa = r(n, 1), ma = new Float32Array(n), va = new Float32Array(n); k.adamw(pa, g, ma, va, 0.5, 0.9, 0.999, 0.1, 0.001, 0.01, 1 / Math.sqrt(0.001), 1e-8, 0.999);
      return { isa: k.isa, out: [p, d, pg, y, yg, ln, dx, dw, db, pa, ma, va].map((a) => Array.from(a)), ss: k.sumSquares(x) };`;
    type Result = { isa: string; out: number[][]; ss: number };
    const here = new Function('k', body)(native) as Result;
    const script = `const k = require(${JSON.stringify(nativeKernelsPath())}); process.stdout.write(JSON.stringify((function (k) {${body}})(k)));`;
    const child = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, FND_NATIVE_ISA: 'baseline' } }).toString()) as Result;
    expect(child.isa).toBe('baseline (no AVX2+FMA)');
    expect(child.out.length).toBe(12);
    child.out.forEach((values, i) => expect(maxDiff(Float32Array.from(values), Float32Array.from(here.out[i]!))).toBeLessThan(2e-6));
    expect(Math.abs(child.ss - here.ss)).toBeLessThan(1e-9 * here.ss);
  });

  it('refuses arrays shorter than the shapes it is told, with a message (never writes past them)', () => {
    expect(() => native.gelu(new Float32Array(10), new Float32Array(9))).toThrow(/y holds 9 values, the kernel needs 10/);
    expect(() => native.attentionProbs(new Float32Array(16), new Float32Array(8), new Float32Array(16), null, 4, 2, 0.1, 1)).toThrow(/dropped is required/);
    expect(() => native.gelu(new Float64Array(2) as unknown as Float32Array, new Float32Array(2))).toThrow(/x must be a Float32Array/);
  });

  it('without the addon the JS kernels are the fallback: no LayerNorm kernel, fused ops in training only', () => {
    expect(loadNativeKernels({ FND_NATIVE_KERNELS: '0' })).toEqual({ ok: false, reason: 'native kernels turned off (FND_NATIVE_KERNELS=0)' });
    installBertKernels();
    try {
      expect(activeNativeKernels()).toBeUndefined();
      expect(tf.getKernel(LAYER_NORM, 'wasm')).toBeUndefined();
      expect(useFused('FndGelu')).toBe(false);
      let inTape = false;
      tf.grad((x: tf.Tensor) => {
        inTape = useFused('FndGelu');
        return tf.sum(x);
      })(tf.ones([2]));
      expect(inTape).toBe(true);
    } finally {
      installBertKernels(native);
    }
  });

  it('initBackend says the native kernels are loaded; without them wasm-blas cannot start, and says why', async () => {
    const on = await initBackend({ prefer: 'wasm-blas', env: {} });
    expect(on.notes.join('\n')).toMatch(/native kernels loaded \(fnd-kernels, (avx2\+fma|baseline)/);
    await expect(initBackend({ prefer: 'wasm-blas', env: { FND_NATIVE_KERNELS: '0' } })).rejects.toThrow(
      /backend "wasm-blas" \(requested with --backend wasm-blas\) is unavailable: native kernels turned off \(FND_NATIVE_KERNELS=0\)/,
    );
    await initBackend({ prefer: 'wasm-blas', env: {} });
    expect(activeNativeKernels()).toBeDefined();
  });
});
