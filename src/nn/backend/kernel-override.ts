/**
 * Replacing a backend's kernel in tfjs's global kernel registry, reversibly.
 *
 * The replaced config is kept on the replacement itself (`replaces`), so a later call can tell
 * whether our kernel is installed and restore the original without any state of our own.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, NamedAttrMap, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

export interface OverrideConfig extends KernelConfig {
  /** The kernel this one replaced; its kernelFunc is the fallback for cases we do not handle. */
  replaces: KernelConfig;
  /** Which fnd kernel set installed it (for doctor and tests). */
  fndKernelSet: string;
}

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}

/** Builds a replacement: `make(original)` returns the new kernel function (it may call the original). */
export type OverrideFactory = (original: KernelFunc) => (args: KernelArgs) => TensorInfo | TensorInfo[];

export function currentOverride(kernelName: string, backendName: string): OverrideConfig | undefined {
  const config = tf.getKernel(kernelName, backendName) as KernelConfig | OverrideConfig | undefined;
  return config && 'replaces' in config ? config : undefined;
}

/**
 * Installs `factory` in place of the registered kernel. Idempotent: an existing fnd override is
 * first restored, so the new one always wraps the backend's own kernel. The original's setupFunc
 * is kept, because the fallback path needs what it prepares (e.g. cwrapped wasm functions).
 */
export function overrideKernel(kernelName: string, backendName: string, set: string, factory: OverrideFactory): void {
  restoreKernel(kernelName, backendName);
  const original = tf.getKernel(kernelName, backendName);
  if (original == null) throw new Error(`no ${kernelName} kernel registered for backend ${backendName} to override`);
  const config: OverrideConfig = {
    kernelName,
    backendName,
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: factory(original.kernelFunc) as KernelFunc,
    replaces: original,
    fndKernelSet: set,
  };
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(config);
}

/** Puts the backend's own kernel back; does nothing when no fnd override is installed. */
export function restoreKernel(kernelName: string, backendName: string): void {
  const current = currentOverride(kernelName, backendName);
  if (!current) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(current.replaces);
}
