/**
 * Starting the tensor backend chooseBackend (choose.ts) picks, best first:
 *   tensorflow-gpu (@tensorflow/tfjs-node-gpu, installed with its binding, GPU visible; device: gpu stages only)
 *   tensorflow     (@tensorflow/tfjs-node, installed and loadable)
 *   wasm-blas      (tfjs wasm + fnd's native kernels, optional package fnd-kernels: its own GEMM
 *                   for every matrix product, fused attention/GELU/LayerNorm/AdamW; no system BLAS)
 *   wasm           (tfjs wasm as shipped)
 *   cpu            (pure JS; only when forced)
 * `FND_BACKEND` (or `prefer`, e.g. from --backend) forces one; forcing one that is unknown or
 * unavailable is a user error naming the valid names and why the requested one cannot run.
 * A backend that passes its probes but fails to start is an error, never a silent fallback.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FndBackendError } from '../../util/errors.js';
import { installGemmKernels, uninstallGemmKernels } from './gemm-kernels.js';
import { installMissingKernels } from './missing-kernels.js';
import { FUSED_KERNELS, installFusedKernels, uninstallFusedKernels } from './fused-kernels.js';
import { BERT_KERNELS, NATIVE_ONLY_KERNELS, installBertKernels, uninstallBertKernels } from './bert-kernels.js';
import { loadNativeKernels } from './native-kernels.js';
import { ensureGradients } from './gradients.js';
import { NODE_PACKAGES, wasmBinaryDir, type BackendName } from './probes.js';
import { backendChoiceFor } from './identity.js';
import { signedMismatch } from './choose.js';
import type { Device } from '../../sdk/index.js';

export interface BackendInfo {
  name: BackendName;
  /** What signatures record (backend plus kernels), from chooseBackend. */
  identity: string;
  /** The tfjs-core version. */
  tfjs: string;
  /** Threads doing the heavy work (the native kernels' pool for wasm-blas; wasm itself is single-threaded in Node). */
  threads?: number;
  /** For every candidate: 'chosen', or why it was not. */
  reasons: Record<BackendName, string>;
  /** Facts a user should know about the chosen backend. */
  notes: string[];
}

export interface InitBackendOptions {
  prefer?: BackendName;
  env?: NodeJS.ProcessEnv;
  /** The device of the stage (default cpu): only `gpu` may get tensorflow-gpu. */
  device?: Device;
  /** The identity the stage was signed with: starting anything else is an error. */
  expect?: string;
}

const WASM_THREADS_NOTE =
  'multi-threaded wasm is not available in Node (tfjs loads the single-threaded SIMD build), so wasm kernels run on one core';

type Activation = { ok: true; threads?: number; notes: string[] } | { ok: false; reason: string };

/**
 * Starts exactly the backend chooseBackend picks for this device and environment (the one the
 * stage's signature names), or fails with why: no silent fallback to another backend, since
 * results would then come from a backend the signature does not name.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const choice = backendChoiceFor(options.device ?? 'cpu', env, options.prefer);
  if (options.expect !== undefined && options.expect !== choice.identity) throw signedMismatch(options.expect, choice.identity);
  ensureGradients();
  const activation = await activate(choice.name, env);
  if (!activation.ok) {
    const why = choice.forcedBy ? `requested with ${choice.forcedBy}` : 'the best one its probes found';
    throw new FndBackendError(`tensor backend "${choice.name}" (${why}) failed to start: ${activation.reason}`);
  }
  return { name: choice.name, identity: choice.identity, tfjs: tf.version_core, threads: activation.threads, reasons: choice.reasons, notes: activation.notes };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

async function activate(name: BackendName, env: NodeJS.ProcessEnv): Promise<Activation> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg: string = NODE_PACKAGES[name];
      try {
        await import(pkg);
      } catch (error) {
        return { ok: false, reason: `failed to load ${pkg}: ${firstLine(error)}` };
      }
      if (!(await setBackend('tensorflow'))) return { ok: false, reason: `failed to start ${pkg} (see the warning above)` };
      return { ok: true, notes: [`libtensorflow through ${pkg}`] };
    }
    case 'wasm-blas': {
      const native = loadNativeKernels(env);
      if (!native.ok) return { ok: false, reason: native.reason };
      const started = await startWasm();
      if (started) return { ok: false, reason: started };
      const k = native.kernels;
      installGemmKernels(k);
      installFusedKernels(k);
      installBertKernels(k);
      return {
        ok: true,
        threads: k.threads,
        notes: [
          `native kernels loaded (fnd-kernels, ${k.isa}, ${k.threads} thread(s)): matrix products by fnd's GEMM (${k.gemmKernel} micro-kernel, no BLAS); ` +
            `fused ${[...BERT_KERNELS, ...NATIVE_ONLY_KERNELS].join(', ')} (attention softmax + mask + dropout, erf GELU, LayerNorm) and the AdamW update`,
          `${FUSED_KERNELS.join(', ')} replaced by kernels on the wasm heap (row copies and segment sums native)`,
          WASM_THREADS_NOTE,
        ],
      };
    }
    case 'wasm': {
      const started = await startWasm();
      if (started) return { ok: false, reason: started };
      // A previous wasm-blas choice in this process replaced kernels globally; put tfjs's back.
      uninstallGemmKernels();
      uninstallFusedKernels();
      uninstallBertKernels();
      return { ok: true, threads: 1, notes: [WASM_THREADS_NOTE] };
    }
    case 'cpu': {
      await import('@tensorflow/tfjs-backend-cpu');
      if (!(await setBackend('cpu'))) return { ok: false, reason: 'failed to start the cpu backend' };
      return { ok: true, threads: 1, notes: ['pure JavaScript kernels: for debugging and comparison only'] };
    }
  }
}

async function setBackend(name: string): Promise<boolean> {
  const ok = await tf.setBackend(name);
  if (ok) await tf.ready();
  return ok;
}

/** Loads the wasm backend with its binaries found next to the package; returns why not, or undefined. */
async function startWasm(): Promise<string | undefined> {
  const dir = wasmBinaryDir();
  if (!dir) return 'wasm binaries not found (@tensorflow/tfjs-backend-wasm missing or incomplete)';
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    try {
      // Bundlers or test runners can move the JS away from the .wasm files; point at them explicitly.
      wasm.setWasmPaths(`${dir}/`);
    } catch {
      // Already initialised (setWasmPaths refuses then); the binaries were found the first time.
    }
  } catch (error) {
    return `failed to load @tensorflow/tfjs-backend-wasm: ${firstLine(error)}`;
  }
  if (!(await setBackend('wasm'))) return 'the wasm backend failed to initialise';
  installMissingKernels();
  return undefined;
}
