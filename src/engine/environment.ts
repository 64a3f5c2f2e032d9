import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '../sdk/index.js';
import type { RunEnvironment } from '../runs/record.js';
import { loadNativeKernels } from '../nn/backend/native-kernels.js';
import { packageRoot } from '../util/package-root.js';
import { readGitHead } from '../util/git-head.js';

const require = createRequire(import.meta.url);

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm-blas' | 'wasm' | 'cpu';
export const BACKEND_NAMES: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm-blas', 'wasm', 'cpu'];

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The tensor backend a stage on `device` will get, found without starting TensorFlow.js (a
 * cached re-run must stay fast). It is part of the signature of stages that compute with
 * tensors, because backends differ in the last bits of float results.
 */
export function expectedBackend(device: Device, env: NodeJS.ProcessEnv = process.env): BackendName {
  const forced = env.FND_BACKEND as BackendName | undefined;
  if (forced && BACKEND_NAMES.includes(forced)) return forced;
  if (device === 'gpu' && resolvable('@tensorflow/tfjs-node-gpu')) return 'tensorflow-gpu';
  if (resolvable('@tensorflow/tfjs-node')) return 'tensorflow';
  if (loadNativeKernels(env).ok) return 'wasm-blas';
  return 'wasm';
}

/**
 * The backend plus the kernels that compute on it, as it goes into tensor stages' signatures:
 * fnd's native kernels round differently from the JavaScript ones they replace.
 */
export function numericEnvironment(device: Device, env: NodeJS.ProcessEnv = process.env): string {
  const backend = expectedBackend(device, env);
  if (!backend.startsWith('wasm')) return backend;
  return loadNativeKernels(env).ok ? `${backend}+native-kernels` : backend;
}

export function fndVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function gitCommit(dir: string): string | undefined {
  // Read from .git's files (no `git` process on every run); git itself when the layout is unusual.
  const fromFiles = readGitHead(dir);
  if (fromFiles !== undefined) return fromFiles ?? undefined;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

export function collectEnvironment(projectDir: string): RunEnvironment {
  const commit = gitCommit(projectDir);
  return {
    node: process.version,
    fnd: fndVersion(),
    backend: numericEnvironment('cpu'),
    platform: `${process.platform}-${process.arch}`,
    ...(commit ? { gitCommit: commit } : {}),
  };
}
