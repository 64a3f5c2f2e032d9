import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, describeBackends, currentOverride, BACKEND_NAMES } from '../../src/nn/backend/index.js';
import { FndError } from '../../src/util/errors.js';

// What this machine has: the tests below hold whichever optional backends are installed here.
const probes = describeBackends({}).candidates;
const bestHere = probes.find((c) => c.available && c.name !== 'cpu')!.name;

describe('initBackend', () => {
  it('chooses the best available backend and says why every other one was not chosen', async () => {
    const info = await initBackend({ env: {} });
    expect(info.name).toBe(bestHere);
    expect(tf.getBackend()).toBe(bestHere.startsWith('wasm') ? 'wasm' : 'tensorflow');
    expect(info.tfjs).toBe(tf.version_core);
    expect(Object.keys(info.reasons).sort()).toEqual([...BACKEND_NAMES].sort());
    expect(info.reasons[info.name]).toBe('chosen');
    // tfjs-node packages are optional (their install downloads libtensorflow): absent ones say why.
    for (const probe of probes.filter((c) => !c.available)) expect(info.reasons[probe.name]).toBe(probe.reason);
    if (!probes.find((c) => c.name === 'tensorflow')!.available) {
      expect(info.reasons.tensorflow).toMatch(/^not installed \(optional package @tensorflow\/tfjs-node;/);
    }
    expect(info.reasons.cpu).toMatch(/only when forced/);
    if (bestHere === 'wasm-blas') {
      expect(info.reasons.wasm).toBe('available, lower priority than wasm-blas');
      expect(currentOverride('BatchMatMul', 'wasm')?.fndKernelSet).toBe('gemm');
      expect(currentOverride('_FusedMatMul', 'wasm')?.fndKernelSet).toBe('gemm');
      expect(info.threads).toBeGreaterThanOrEqual(1);
      expect(info.notes.join('\n')).toMatch(/matrix products by fnd's GEMM \((avx512f 12x32|avx2\+fma 6x16|portable [48]x8[^)]*) micro-kernel, no BLAS\)/);
    }
    expect(info.notes.join('\n')).toMatch(/multi-threaded wasm is not available in Node/);
    // Gradients are registered as part of initialisation (tfjs-core's Node bundle has none).
    expect(tf.getGradient('BatchMatMul')).toBeDefined();
  });

  it('honours FND_BACKEND=wasm and restores tfjs’s own wasm kernels', async () => {
    const info = await initBackend({ env: { FND_BACKEND: 'wasm' } });
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(1);
    expect(info.reasons['wasm-blas']).toBe('not requested (FND_BACKEND=wasm selects wasm)');
    expect(currentOverride('BatchMatMul', 'wasm')).toBeUndefined();
    expect(currentOverride('_FusedMatMul', 'wasm')).toBeUndefined();
  });

  it('honours FND_BACKEND=cpu, and prefer over FND_BACKEND', async () => {
    const info = await initBackend({ env: { FND_BACKEND: 'cpu', } });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const preferred = await initBackend({ prefer: 'wasm', env: { FND_BACKEND: 'cpu' } });
    expect(preferred.name).toBe('wasm');
    expect(preferred.reasons.cpu).toBe('not requested (requested with --backend wasm selects wasm)');
  });

  it('refuses a forced backend that is unavailable, naming the valid ones and why', async () => {
    // No GPU is visible with CUDA_VISIBLE_DEVICES empty, so tensorflow-gpu is unavailable on any machine.
    // Only a device: gpu stage's process may load tensorflow-gpu, so the request is made for one.
    const attempt = initBackend({ device: 'gpu', env: { FND_BACKEND: 'tensorflow-gpu', CUDA_VISIBLE_DEVICES: '' } });
    await expect(attempt).rejects.toBeInstanceOf(FndError);
    await expect(attempt).rejects.toThrow(
      /^backend "tensorflow-gpu" \(FND_BACKEND=tensorflow-gpu\) is unavailable: (not installed \(optional package @tensorflow\/tfjs-node-gpu; .*\)|@tensorflow\/tfjs-node-gpu is installed without its native binding.*|no GPU: .*)\. Valid backends: tensorflow-gpu, tensorflow, wasm-blas, wasm, cpu; available here: .*wasm, cpu\.$/,
    );
  });

  it('without the native kernels wasm-blas is unavailable and plain wasm is chosen, saying why', async () => {
    const info = await initBackend({ env: { FND_NATIVE_KERNELS: '0' } });
    expect(info.name).toBe('wasm');
    expect(info.reasons['wasm-blas']).toBe('native kernels turned off (FND_NATIVE_KERNELS=0)');
    expect(currentOverride('BatchMatMul', 'wasm')).toBeUndefined();
    await initBackend({ env: {} });
  });

  it('refuses an unknown backend name', async () => {
    const attempt = initBackend({ env: { FND_BACKEND: 'cuda' } });
    await expect(attempt).rejects.toThrow('unknown backend "cuda" (FND_BACKEND=cuda). Valid backends: tensorflow-gpu, tensorflow, wasm-blas, wasm, cpu.');
    await expect(initBackend({ env: { FND_BACKEND: 'cuda' } })).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('describeBackends', () => {
  it('reports every candidate without initialising anything', () => {
    const report = describeBackends({ FND_BACKEND: 'wasm', CUDA_VISIBLE_DEVICES: '' });
    expect(report.candidates.map((c) => c.name)).toEqual([...BACKEND_NAMES]);
    const byName = Object.fromEntries(report.candidates.map((c) => [c.name, c]));
    expect(byName.tensorflow!.available).toBe(false);
    expect(byName.wasm!.available).toBe(true);
    expect(byName['wasm-blas']!.available).toBe(true);
    expect(byName['wasm-blas']!.detail).toMatch(/^fnd-kernels \/.*fnd_kernels\.node \(/);
    expect(report.forced).toBe('wasm');
    expect(report.node).toBe(process.version);
    expect(report.cores).toBeGreaterThanOrEqual(1);
  });
});
