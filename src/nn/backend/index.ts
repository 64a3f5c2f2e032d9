/** Tensor backend selection and the wasm kernel replacements (see init.ts for the order). */
export type { BackendInfo, InitBackendOptions } from './init.js';
export { initBackend, ensureBackend, backendRunning, requireRunningBackend } from './auto.js';
export { describeBackends, type BackendReport } from './describe.js';
export { BACKEND_NAMES, type BackendName, type CandidateStatus } from './probes.js';
export { installGemmKernels, uninstallGemmKernels, GEMM_KERNELS } from './gemm-kernels.js';
export { installFusedKernels, uninstallFusedKernels, FUSED_KERNELS } from './fused-kernels.js';
export { currentOverride } from './kernel-override.js';
export { ensureGradients } from './gradients.js';
export { installBertKernels, uninstallBertKernels, activeNativeKernels, BERT_KERNELS, NATIVE_ONLY_KERNELS } from './bert-kernels.js';
export { loadNativeKernels, type NativeKernels, type NativeLoad } from './native-kernels.js';
