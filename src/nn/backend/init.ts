/**
 * Choosing the tensor backend at run time, best first:
 *   tensorflow-gpu (@tensorflow/tfjs-node-gpu, installed, loadable, GPU visible)
 *   tensorflow     (@tensorflow/tfjs-node, installed and loadable)
 *   wasm-blas      (tfjs wasm + fnd's native kernels, optional package fnd-kernels: its own GEMM
 *                   for every matrix product, fused attention/GELU/LayerNorm/AdamW; no system BLAS)
 *   wasm           (tfjs wasm as shipped)
 *   cpu            (pure JS; only when forced)
 * `FND_BACKEND` (or `prefer`, e.g. from --backend) forces one; forcing one that is unknown or
 * unavailable is a user error naming the valid names and why the requested one cannot run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { FndBackendError, FndConfigError } from '../../util/errors.js';
import { installGemmKernels, uninstallGemmKernels } from './gemm-kernels.js';
import { installMissingKernels } from './missing-kernels.js';
import { FUSED_KERNELS, installFusedKernels, uninstallFusedKernels } from './fused-kernels.js';
import { BERT_KERNELS, NATIVE_ONLY_KERNELS, installBertKernels, uninstallBertKernels } from './bert-kernels.js';
import { loadNativeKernels } from './native-kernels.js';
import { ensureGradients } from './gradients.js';
import { BACKEND_NAMES, NODE_PACKAGES, probeCandidate, wasmBinaryDir, type BackendName } from './probes.js';

export interface BackendInfo {
  name: BackendName;
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
}

const AUTO_ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm-blas', 'wasm'];

const WASM_THREADS_NOTE =
  'multi-threaded wasm is not available in Node (tfjs loads the single-threaded SIMD build), so wasm kernels run on one core';

type Activation = { ok: true; threads?: number; notes: string[] } | { ok: false; reason: string };

export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const forced = resolveForced(options.prefer, env);
  ensureGradients();
  const reasons = {} as Record<BackendName, string>;
  const order = forced ? [forced.name] : AUTO_ORDER;
  let chosen: { name: BackendName; activation: Activation & { ok: true } } | undefined;
  for (const name of order) {
    const activation = await activate(name, env);
    if (activation.ok) {
      chosen = { name, activation };
      break;
    }
    reasons[name] = activation.reason;
  }
  if (!chosen) {
    if (forced) {
      throw new FndConfigError(
        `backend "${forced.name}" (${forced.source}) is unavailable: ${reasons[forced.name]}. ` +
          `Valid backends: ${BACKEND_NAMES.join(', ')}; available here: ${availableNames(env).join(', ') || 'none'}.`,
      );
    }
    throw new FndBackendError(`no tensor backend could be started: ${order.map((n) => `${n}: ${reasons[n]}`).join('; ')}`);
  }
  reasons[chosen.name] = 'chosen';
  for (const name of BACKEND_NAMES) {
    if (reasons[name] !== undefined) continue;
    if (forced) reasons[name] = `not requested (${forced.source} selects ${forced.name})`;
    else if (name === 'cpu') reasons[name] = 'used only when forced (FND_BACKEND=cpu): pure JavaScript, many times slower than wasm';
    else {
      const probe = probeCandidate(name, env);
      reasons[name] = probe.available ? `available, lower priority than ${chosen.name}` : probe.reason!;
    }
  }
  return { name: chosen.name, tfjs: tf.version_core, threads: chosen.activation.threads, reasons, notes: chosen.activation.notes };
}

function resolveForced(prefer: string | undefined, env: NodeJS.ProcessEnv): { name: BackendName; source: string } | undefined {
  const raw = prefer ?? (env.FND_BACKEND?.trim() || undefined);
  if (raw === undefined) return undefined;
  const source = prefer !== undefined ? `requested with --backend ${raw}` : `FND_BACKEND=${raw}`;
  if (!(BACKEND_NAMES as readonly string[]).includes(raw)) {
    throw new FndConfigError(`unknown backend "${raw}" (${source}). Valid backends: ${BACKEND_NAMES.join(', ')}.`);
  }
  return { name: raw as BackendName, source };
}

function availableNames(env: NodeJS.ProcessEnv): BackendName[] {
  return BACKEND_NAMES.filter((name) => probeCandidate(name, env).available);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

async function activate(name: BackendName, env: NodeJS.ProcessEnv): Promise<Activation> {
  const probe = probeCandidate(name, env);
  if (!probe.available) return { ok: false, reason: probe.reason! };
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
