import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Device } from '../sdk/index.js';
import type { RunEnvironment } from '../runs/record.js';
import { signedMismatch, type BackendChoice } from '../nn/backend/choose.js';
import { backendChoiceFor } from '../nn/backend/identity.js';
import { nativeKernelsPath } from '../nn/backend/native-kernels.js';
import { NODE_PACKAGES } from '../nn/backend/probes.js';
import { packageRoot } from '../util/package-root.js';
import { readGitHead } from '../util/git-head.js';

const require = createRequire(import.meta.url);

/**
 * Packages whose versions change a stage's numbers: the tensor engine and its backends, the
 * tokenizer. A stage's signature names the versions of those its code imports (and, for tensor
 * stages, those of the backend it runs on).
 */
export const NUMBER_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@huggingface/tokenizers'];

/** The installed version of a package ("(not installed)" when it does not resolve). */
export function packageVersion(name: string): string {
  const dir = packageDir(name);
  if (!dir) return '(not installed)';
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '(no version)';
}

function packageDir(name: string): string | undefined {
  let resolved: string;
  try {
    resolved = require.resolve(name);
  } catch {
    try {
      resolved = require.resolve(`${name}/package.json`);
    } catch {
      return undefined;
    }
  }
  for (let dir = dirname(resolved); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name) return dir;
  }
  return undefined;
}

/** sha256 of a file's bytes, short: the identity of a native addon's build. */
function fileDigest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}

/**
 * The environment part of a tensor stage's signature: exactly the backend chooseBackend picks
 * (the one initBackend will start), the versions of its packages, and for fnd's native kernels
 * the hash of the built addon, the instruction set it dispatched to and FND_NATIVE_ISA.
 */
export interface InstallFacts {
  /** A package's installed version. */
  version(name: string): string;
  /** A short hash of a built native file (an absolute path), undefined when absent. */
  build(path: string): string | undefined;
}

/** What is installed here, read from node_modules. */
export const installed: InstallFacts = {
  version: packageVersion,
  build: (path) => (existsSync(path) ? fileDigest(path) : undefined),
};

export function backendEnvironment(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env, facts_: InstallFacts = installed): Record<string, string> {
  const packageVersion = facts_.version;
  const facts: Record<string, string> = { backend: choice.identity, '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core') };
  if (choice.name === 'tensorflow' || choice.name === 'tensorflow-gpu') {
    facts[NODE_PACKAGES[choice.name]] = packageVersion(NODE_PACKAGES[choice.name]);
  } else if (choice.name === 'cpu') {
    facts['@tensorflow/tfjs-backend-cpu'] = packageVersion('@tensorflow/tfjs-backend-cpu');
  } else {
    facts['@tensorflow/tfjs-backend-wasm'] = packageVersion('@tensorflow/tfjs-backend-wasm');
  }
  if (choice.kernels === 'native') {
    facts['fnd-kernels build'] = facts_.build(nativeKernelsPath()) ?? '(missing)';
    facts.FND_NATIVE_ISA = env.FND_NATIVE_ISA ?? '(auto)';
  }
  return facts;
}


/** Versions of the number-changing packages among `imported` (bare specifiers a stage's code imports). */
export function packageEnvironment(imported: readonly string[], facts_: InstallFacts = installed): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const name of NUMBER_PACKAGES) if (imported.includes(name)) facts[name] = facts_.version(name);
  return facts;
}

/**
 * The check a stage makes at start, in the process that runs it: the backend it would get now
 * is the one its signature names. Returns the choice (undefined for stages without tensors).
 */
export function checkSignedBackend(job: { backend?: string; device: Device }, env: NodeJS.ProcessEnv = process.env): BackendChoice | undefined {
  if (job.backend === undefined) return undefined;
  const choice = backendChoiceFor(job.device, env);
  if (choice.identity !== job.backend) throw signedMismatch(job.backend, choice.identity);
  return choice;
}

/** The backend a tensor stage on `device` is signed with and will start. */
export function numericEnvironment(device: Device, env: NodeJS.ProcessEnv = process.env): string {
  return backendChoiceFor(device, env).identity;
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
    backend: backendOrWhy(),
    platform: `${process.platform}-${process.arch}`,
    ...(commit ? { gitCommit: commit } : {}),
  };
}

function backendOrWhy(): string {
  try {
    return numericEnvironment('cpu');
  } catch (error) {
    return `(none: ${(error as Error).message})`;
  }
}
