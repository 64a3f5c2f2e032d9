import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendEnvironment, checkSignedBackend, installed, packageVersion, type InstallFacts } from '../../src/engine/environment.js';
import { runStageInProcess } from '../../src/engine/stage-runner.js';
import { stageSignature } from '../../src/engine/stage-signature.js';
import { explainDifference, listDifferences } from '../../src/hash/explain.js';
import { chooseBackend, type BackendProbes } from '../../src/nn/backend/choose.js';
import { backendChoiceFor } from '../../src/nn/backend/identity.js';
import { nativeKernelsPath } from '../../src/nn/backend/native-kernels.js';
import type { LoadedPlugin } from '../../src/plugins/load.js';

const require = createRequire(import.meta.url);

/** A stage folder whose code imports the tokenizer package, with `tensors: true`. */
function tensorPlugin(): LoadedPlugin {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-env-'));
  mkdirSync(join(dir, 'tensorish'));
  const entry = join(dir, 'tensorish', 'index.ts');
  writeFileSync(entry, "import { Tokenizer } from '@huggingface/tokenizers';\nexport default {};\n");
  return {
    definition: { name: 'tensorish', version: '1', tensors: true, params: {}, inputs: {}, outputs: {}, run: async () => ({}) } as never,
    location: { name: 'tensorish', dir: join(dir, 'tensorish'), entry, origin: 'project' },
  };
}

function facts(overrides: { versions?: Record<string, string>; builds?: Record<string, string> } = {}): InstallFacts {
  return {
    version: (name) => overrides.versions?.[name] ?? installed.version(name),
    build: (request) => overrides.builds?.[request] ?? installed.build(request),
  };
}

async function sign(install: InstallFacts, env: NodeJS.ProcessEnv = {}) {
  return stageSignature({ plugin: tensorPlugin(), params: {}, inputs: {}, device: 'cpu', specDir: tmpdir(), codeHashes: new Map(), env, install });
}

describe('the environment part of a signature', () => {
  it('names the backend chooseBackend picks and the installed versions of number-changing packages', async () => {
    const identity = await sign(installed);
    const choice = backendChoiceFor('cpu', {});
    expect(identity.details.environment.backend).toBe(choice.identity);
    expect(identity.details.environment['@tensorflow/tfjs-core']).toBe(packageVersion('@tensorflow/tfjs-core'));
    expect(identity.details.environment['@tensorflow/tfjs-core']).toMatch(/^4\.\d+\.\d+$/);
    // The stage's code imports the tokenizer: its version is part of the signature too.
    const tokenizersPkg = JSON.parse(readFileSync(join(require.resolve('@huggingface/tokenizers').split('/node_modules/')[0]!, 'node_modules/@huggingface/tokenizers/package.json'), 'utf8'));
    expect(identity.details.environment['@huggingface/tokenizers']).toBe(tokenizersPkg.version);
  });

  it('changes when a number-changing package version changes, and says which', async () => {
    const before = await sign(facts());
    for (const pkg of ['@tensorflow/tfjs-core', '@huggingface/tokenizers']) {
      const after = await sign(facts({ versions: { [pkg]: '99.0.0' } }));
      expect(after.value).not.toBe(before.value);
      expect(explainDifference(before.details, after.details)).toBe(`${pkg} changed: ${before.details.environment[pkg]} → 99.0.0`);
    }
  });

  it('changes when the native addon build or FND_NATIVE_ISA changes (native kernels chosen)', async () => {
    const probes: BackendProbes = {
      candidates: {
        'tensorflow-gpu': { available: false, reason: 'x' },
        tensorflow: { available: false, reason: 'x' },
        'wasm-blas': { available: true },
        wasm: { available: true },
        cpu: { available: true },
      },
      native: { ok: true, isa: 'avx2+fma' },
    };
    const choice = chooseBackend(probes, 'cpu', {});
    expect(choice.identity).toBe('wasm-blas+native-kernels');
    const addon = nativeKernelsPath();
    const a = backendEnvironment(choice, {}, facts({ builds: { [addon]: 'aaaa' } }));
    const b = backendEnvironment(choice, {}, facts({ builds: { [addon]: 'bbbb' } }));
    const c = backendEnvironment(choice, { FND_NATIVE_ISA: 'baseline' }, facts({ builds: { [addon]: 'aaaa' } }));
    expect(a['fnd-kernels build']).toBe('aaaa');
    expect(a.FND_NATIVE_ISA).toBe('(auto)');
    const details = (environment: Record<string, string>) => ({ plugin: 'p', version: '1', code: 'c', params: {}, inputs: {}, environment });
    expect(listDifferences(details(a), details(b)).map((d) => d.text)).toEqual(['fnd-kernels build changed: aaaa → bbbb']);
    expect(listDifferences(details(a), details(c)).map((d) => d.text)).toEqual(['FND_NATIVE_ISA changed: (auto) → baseline']);
  });

  it('hashes the real addon file when fnd-kernels is built', () => {
    const path = nativeKernelsPath();
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
    expect(installed.build(path)).toBe(digest);
  });
});

describe('chooseBackend', () => {
  const probes = (gpu: boolean, tf: boolean): BackendProbes => ({
    candidates: {
      'tensorflow-gpu': gpu ? { available: true } : { available: false, reason: 'no GPU' },
      tensorflow: tf ? { available: true } : { available: false, reason: 'installed without its native binding' },
      'wasm-blas': { available: true },
      wasm: { available: true },
      cpu: { available: true },
    },
    native: { ok: false, reason: 'not built' },
  });

  it('never gives a CPU stage tensorflow-gpu, even when forced; a GPU stage gets it when usable', () => {
    expect(chooseBackend(probes(true, true), 'cpu', {}).name).toBe('tensorflow');
    expect(chooseBackend(probes(true, true), 'gpu', {}).name).toBe('tensorflow-gpu');
    expect(chooseBackend(probes(true, true), 'cpu', { FND_BACKEND: 'tensorflow-gpu' }).name).toBe('tensorflow');
    expect(chooseBackend(probes(true, true), 'gpu', { FND_BACKEND: 'tensorflow-gpu' }).name).toBe('tensorflow-gpu');
  });

  it('does not pick a tfjs-node without its binding (the probe says why), and names JS kernels in the identity', () => {
    const choice = chooseBackend(probes(false, false), 'gpu', {});
    expect(choice.identity).toBe('wasm-blas');
    expect(choice.kernels).toBe('js');
    expect(choice.reasons.tensorflow).toBe('installed without its native binding');
    expect(choice.gpuUnavailable).toBe('no GPU');
  });
});

describe('a stage checks at start that it gets the backend it was signed with', () => {
  it('passes for the signed choice and fails, naming both, for another', async () => {
    const now = backendChoiceFor('cpu', process.env).identity;
    expect(checkSignedBackend({ backend: now, device: 'cpu' })?.identity).toBe(now);
    expect(checkSignedBackend({ device: 'cpu' })).toBeUndefined();
    expect(() => checkSignedBackend({ backend: 'tensorflow', device: 'cpu' })).toThrow(
      `this stage was signed for tensor backend "tensorflow", but this process would run "${now}"`,
    );
    // The engine's in-process runner makes that check before the plugin runs.
    const dir = mkdtempSync(join(tmpdir(), 'fnd-env-job-'));
    const entry = join(dir, 'index.mjs');
    writeFileSync(entry, `import { writeFileSync } from 'node:fs'; export default { run: async () => { writeFileSync(${JSON.stringify(join(dir, 'ran'))}, 'x'); } };\n`);
    const job = {
      stageId: 'train', plugin: 'train', pluginEntry: entry, params: {}, inputs: {}, workDir: join(dir, 'w'), resumeDir: join(dir, 'r'),
      specDir: dir, projectDir: dir, seed: 1, device: 'cpu' as const, backend: 'tensorflow',
    };
    const hooks = { signal: new AbortController().signal, onEvent: () => {}, onWarning: () => {} };
    await expect(runStageInProcess(job, hooks)).rejects.toThrow(/stage "train" \(plugin train\) failed: this stage was signed for tensor backend "tensorflow"/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
