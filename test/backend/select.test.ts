import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, describeBackends, currentOverride, BACKEND_NAMES } from '../../src/nn/backend/index.js';
import { FndError } from '../../src/util/errors.js';

describe('initBackend', () => {
  it('chooses the best available backend and says why every other one was not chosen', async () => {
    const info = await initBackend({ env: {} });
    // fnd's native kernels build here (g++): no BLAS package is involved.
    expect(info.name).toBe('wasm-blas');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.tfjs).toBe(tf.version_core);
    expect(Object.keys(info.reasons).sort()).toEqual([...BACKEND_NAMES].sort());
    expect(info.reasons[info.name]).toBe('chosen');
    // tfjs-node packages are optional and cannot install here (their install downloads libtensorflow).
    expect(info.reasons.tensorflow).toMatch(/^not installed \(optional package @tensorflow\/tfjs-node;/);
    expect(info.reasons['tensorflow-gpu']).toMatch(/^not installed \(optional package @tensorflow\/tfjs-node-gpu;/);
    expect(info.reasons.cpu).toMatch(/only when forced/);
    expect(info.reasons.wasm).toBe('available, lower priority than wasm-blas');
    expect(currentOverride('BatchMatMul', 'wasm')?.fndKernelSet).toBe('gemm');
    expect(currentOverride('_FusedMatMul', 'wasm')?.fndKernelSet).toBe('gemm');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.notes.join('\n')).toMatch(/matrix products by fnd's GEMM \((avx512f 12x32|avx2\+fma 6x16|portable [48]x8[^)]*) micro-kernel, no BLAS\)/);
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

  it('refuses a forced backend that is not installed, naming the valid ones and why', async () => {
    const attempt = initBackend({ env: { FND_BACKEND: 'tensorflow' } });
    await expect(attempt).rejects.toBeInstanceOf(FndError);
    await expect(attempt).rejects.toThrow(
      /^backend "tensorflow" \(FND_BACKEND=tensorflow\) is unavailable: not installed \(optional package @tensorflow\/tfjs-node; .*\)\. Valid backends: tensorflow-gpu, tensorflow, wasm-blas, wasm, cpu; available here: .*wasm, cpu\.$/,
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
