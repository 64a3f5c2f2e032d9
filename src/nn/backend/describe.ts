/**
 * A report of every backend candidate and the machine, for `fnd doctor`: it probes
 * prerequisites (installed, GPU, native kernels) without initialising tfjs-node or wasm.
 */
import { availableParallelism, cpus } from 'node:os';
import { BACKEND_NAMES, probeCandidate, type CandidateStatus } from './probes.js';
import { loadNativeKernels } from './native-kernels.js';

export interface BackendReport {
  candidates: CandidateStatus[];
  node: string;
  platform: string;
  cores: number;
  cpuModel?: string;
  /** fnd's native kernels (optional package fnd-kernels, used by wasm-blas): loaded with what, or why not. */
  nativeKernels: string;
  forced?: string;
}

export function describeBackends(env: NodeJS.ProcessEnv = process.env): BackendReport {
  return {
    candidates: BACKEND_NAMES.map((name) => probeCandidate(name, env)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    nativeKernels: describeNative(env),
    forced: env.FND_BACKEND?.trim() || undefined,
  };
}

function describeNative(env: NodeJS.ProcessEnv): string {
  const load = loadNativeKernels(env);
  return load.ok
    ? `loaded (${load.kernels.isa}, GEMM ${load.kernels.gemmKernel}, ${load.kernels.threads} thread(s)) from ${load.path}`
    : `not loaded: ${load.reason}`;
}
