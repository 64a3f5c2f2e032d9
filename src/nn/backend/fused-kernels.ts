/**
 * Elementwise kernels for the wasm backend, in JS over heap views (filled in after profiling).
 */
import { restoreKernel } from './kernel-override.js';

export const FUSED_KERNEL_SET = 'fused';
export const FUSED_KERNELS: readonly string[] = [];

export function installFusedKernels(): void {}

export function uninstallFusedKernels(): void {
  for (const name of FUSED_KERNELS) restoreKernel(name, 'wasm');
}
