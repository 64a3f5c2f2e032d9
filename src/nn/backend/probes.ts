/**
 * What each backend candidate needs, checked without initialising anything heavy: is the
 * package installed (resolvable), is a GPU visible, do fnd's native kernels load.
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadNativeKernels } from './native-kernels.js';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm-blas', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const NODE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

export interface CandidateStatus {
  name: BackendName;
  /** Whether the prerequisites are present; `false` comes with a reason. Loading may still fail. */
  available: boolean;
  reason?: string;
  /** Details worth showing (package path, GPU device list, native kernels). */
  detail?: string;
}

const require = createRequire(import.meta.url);

export function isInstalled(pkg: string): string | undefined {
  try {
    return require.resolve(pkg);
  } catch {
    return undefined;
  }
}

/** NVIDIA GPUs the kernel driver exposes (Linux); tfjs-node-gpu needs CUDA on one of them. */
export function visibleGpus(env: NodeJS.ProcessEnv): string[] {
  if (env.CUDA_VISIBLE_DEVICES !== undefined && env.CUDA_VISIBLE_DEVICES.trim() === '') return [];
  const dir = '/proc/driver/nvidia/gpus';
  try {
    if (existsSync(dir)) return readdirSync(dir);
  } catch {
    // unreadable: fall through to the device nodes
  }
  return existsSync('/dev/nvidia0') ? ['/dev/nvidia0'] : [];
}

export function wasmBinaryDir(): string | undefined {
  const main = isInstalled('@tensorflow/tfjs-backend-wasm');
  if (!main) return undefined;
  const dir = dirname(main);
  return existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm')) ? dir : undefined;
}

export function probeCandidate(name: BackendName, env: NodeJS.ProcessEnv): CandidateStatus {
  switch (name) {
    case 'tensorflow-gpu': {
      const path = isInstalled(NODE_PACKAGES[name]);
      if (!path) return { name, available: false, reason: `not installed (optional package ${NODE_PACKAGES[name]}; its install downloads libtensorflow with CUDA)` };
      if (!tensorflowBinding(path)) return { name, available: false, reason: missingBinding(NODE_PACKAGES[name]) };
      const gpus = visibleGpus(env);
      if (gpus.length === 0) return { name, available: false, reason: 'no GPU: no NVIDIA device visible (/proc/driver/nvidia/gpus empty or CUDA_VISIBLE_DEVICES empty)' };
      return { name, available: true, detail: `${path}; GPUs: ${gpus.join(', ')}` };
    }
    case 'tensorflow': {
      const path = isInstalled(NODE_PACKAGES[name]);
      if (!path) return { name, available: false, reason: `not installed (optional package ${NODE_PACKAGES[name]}; its install downloads libtensorflow)` };
      if (!tensorflowBinding(path)) return { name, available: false, reason: missingBinding(NODE_PACKAGES[name]) };
      return { name, available: true, detail: path };
    }
    case 'wasm-blas': {
      if (!wasmBinaryDir()) return { name, available: false, reason: 'wasm binaries not found (@tensorflow/tfjs-backend-wasm missing or incomplete)' };
      const native = loadNativeKernels(env);
      if (!native.ok) return { name, available: false, reason: native.reason };
      return { name, available: true, detail: `fnd-kernels ${native.path} (${native.kernels.isa}, GEMM ${native.kernels.gemmKernel})` };
    }
    case 'wasm': {
      const dir = wasmBinaryDir();
      if (!dir) return { name, available: false, reason: 'wasm binaries not found (@tensorflow/tfjs-backend-wasm missing or incomplete)' };
      return { name, available: true, detail: dir };
    }
    case 'cpu':
      return isInstalled('@tensorflow/tfjs-backend-cpu')
        ? { name, available: true, detail: 'pure JavaScript' }
        : { name, available: false, reason: 'not installed (@tensorflow/tfjs-backend-cpu)' };
  }
}

/**
 * tfjs-node's native binding (`lib/napi-v<N>/tfjs_binding.node`), which its install script builds
 * after downloading libtensorflow: a package installed offline resolves but cannot load without it.
 */
function tensorflowBinding(resolvedMain: string): string | undefined {
  let dir = dirname(resolvedMain);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const lib = join(dir, 'lib');
  try {
    for (const name of readdirSync(lib)) {
      if (name.startsWith('napi-v') && existsSync(join(lib, name, 'tfjs_binding.node'))) return join(lib, name, 'tfjs_binding.node');
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function missingBinding(pkg: string): string {
  return `${pkg} is installed without its native binding (lib/napi-v<N>/tfjs_binding.node; the libtensorflow download at install failed?)`;
}

