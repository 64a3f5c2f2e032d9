/**
 * Probing and choosing together, without starting tfjs: what the engine signs a tensor stage
 * with, and what initBackend activates.
 */
import type { Device } from '../../sdk/index.js';
import { chooseBackend, type BackendChoice, type BackendProbes } from './choose.js';
import { loadNativeKernels } from './native-kernels.js';
import { BACKEND_NAMES, probeCandidate } from './probes.js';

/** Everything chooseBackend needs, found without starting tfjs (cheap enough for every signature). */
export function probeBackends(env: NodeJS.ProcessEnv): BackendProbes {
  const candidates = Object.fromEntries(BACKEND_NAMES.map((name) => [name, probeCandidate(name, env)])) as unknown as BackendProbes['candidates'];
  const native = loadNativeKernels(env);
  return { candidates, native: native.ok ? { ok: true, isa: native.kernels.isa } : { ok: false, reason: native.reason } };
}

/** The backend a stage on `device` gets in a process with environment `env`. */
export function backendChoiceFor(device: Device, env: NodeJS.ProcessEnv = process.env, prefer?: string): BackendChoice {
  return chooseBackend(probeBackends(env), device, env, prefer);
}
