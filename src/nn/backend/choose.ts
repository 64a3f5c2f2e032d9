/**
 * The one backend choice: a pure function of what the probes found, the stage's device and the
 * environment. Signatures name exactly its answer (engine/environment.ts), initBackend activates
 * exactly its answer (no silent fallback), and a stage checks at start that the answer is still
 * what it was signed with.
 */
import type { Device } from '../../sdk/index.js';
import { FndBackendError, FndConfigError, FndError } from '../../util/errors.js';
import { BACKEND_NAMES, type BackendName } from './probes.js';

export interface BackendProbes {
  /** Each candidate's prerequisites (installed, binary present, GPU visible, BLAS loads). */
  candidates: Record<BackendName, { available: boolean; reason?: string }>;
  /** fnd's native kernels (used by wasm-blas): loaded, or why not. */
  native: { ok: true; isa: string } | { ok: false; reason: string };
}

export interface BackendChoice {
  name: BackendName;
  /** For wasm-blas: fnd's native fused kernels or the JavaScript ones (they round differently). */
  kernels?: 'native' | 'js';
  /** What signatures record: the backend plus the kernels, e.g. `wasm-blas+native-kernels`. */
  identity: string;
  /** `FND_BACKEND=…` or `--backend …` when forced. */
  forcedBy?: string;
  /** For every candidate: 'chosen', or why not. */
  reasons: Record<BackendName, string>;
  /** Set when a `device: gpu` stage gets no GPU backend: why. */
  gpuUnavailable?: string;
}

const GPU_ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm-blas', 'wasm'];
/** A CPU stage (and every main-process caller) never loads tensorflow-gpu: only a GPU stage's worker does. */
const CPU_ORDER: BackendName[] = ['tensorflow', 'wasm-blas', 'wasm'];

export function chooseBackend(probes: BackendProbes, device: Device, env: NodeJS.ProcessEnv, prefer?: string): BackendChoice {
  const raw = prefer ?? (env.FND_BACKEND?.trim() || undefined);
  const forcedBy = raw === undefined ? undefined : prefer !== undefined ? `requested with --backend ${raw}` : `FND_BACKEND=${raw}`;
  if (raw !== undefined && !(BACKEND_NAMES as readonly string[]).includes(raw)) {
    throw new FndConfigError(`unknown backend "${raw}" (${forcedBy}). Valid backends: ${BACKEND_NAMES.join(', ')}.`);
  }
  const reasons = {} as Record<BackendName, string>;
  // A forced GPU backend applies to GPU stages; CPU work in the main process keeps the automatic order.
  const forced = raw === 'tensorflow-gpu' && device !== 'gpu' ? undefined : (raw as BackendName | undefined);
  if (raw === 'tensorflow-gpu' && !forced) reasons['tensorflow-gpu'] = `${forcedBy} applies to device: gpu stages only (they run in their own process)`;

  let name: BackendName | undefined;
  if (forced) {
    const probe = probes.candidates[forced];
    if (!probe.available) {
      const available = BACKEND_NAMES.filter((n) => probes.candidates[n].available);
      throw new FndConfigError(
        `backend "${forced}" (${forcedBy}) is unavailable: ${probe.reason}. ` +
          `Valid backends: ${BACKEND_NAMES.join(', ')}; available here: ${available.join(', ') || 'none'}.`,
      );
    }
    name = forced;
  } else {
    for (const candidate of device === 'gpu' ? GPU_ORDER : CPU_ORDER) {
      const probe = probes.candidates[candidate];
      if (probe.available) {
        name = candidate;
        break;
      }
      reasons[candidate] ??= probe.reason ?? 'unavailable';
    }
  }
  if (!name) throw new FndBackendError(`no tensor backend can start: ${Object.entries(reasons).map(([n, r]) => `${n}: ${r}`).join('; ')}`);
  reasons[name] = 'chosen';
  for (const other of BACKEND_NAMES) {
    if (reasons[other] !== undefined) continue;
    if (forced) reasons[other] = `not requested (${forcedBy} selects ${forced})`;
    else if (other === 'cpu') reasons[other] = 'used only when forced (FND_BACKEND=cpu): pure JavaScript, many times slower than wasm';
    else if (other === 'tensorflow-gpu') {
      const gpu = probes.candidates[other];
      reasons[other] = gpu.available ? 'available, used by device: gpu stages only (each in its own process)' : (gpu.reason ?? 'unavailable');
    }
    else reasons[other] = probes.candidates[other].available ? `available, lower priority than ${name}` : (probes.candidates[other].reason ?? 'unavailable');
  }
  const kernels = name === 'wasm-blas' ? (probes.native.ok ? 'native' : 'js') : undefined;
  const identity = kernels === 'native' ? `${name}+native-kernels` : name;
  const gpuUnavailable = device === 'gpu' && name !== 'tensorflow-gpu' ? (probes.candidates['tensorflow-gpu'].reason ?? reasons['tensorflow-gpu']) : undefined;
  return { name, identity, reasons, ...(kernels ? { kernels } : {}), ...(forcedBy && forced ? { forcedBy } : {}), ...(gpuUnavailable ? { gpuUnavailable } : {}) };
}

/** A stage about to start with another backend than the one its signature names. */
export function signedMismatch(signed: string, now: string): FndError {
  return new FndError(
    `this stage was signed for tensor backend "${signed}", but this process would run "${now}" (the installed backends or FND_BACKEND changed meanwhile); run again`,
  );
}
