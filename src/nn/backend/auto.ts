/**
 * The tensor backend starts itself on first use. Every async entry point of the library
 * (loadModel, Trainer.train, evaluate, predict) awaits `ensureBackend()`, which makes the same
 * choice `fnd run` makes (`initBackend()` with no options: FND_BACKEND, else the best available)
 * unless the program chose already: with `initBackend({...})`, or by running a tfjs backend of
 * its own before fnd's first use (fnd then uses that one rather than switching it under the
 * program's feet).
 *
 * What starting a backend changes in the process (tfjs keeps this state globally, per process):
 * - tfjs's active backend (`tf.setBackend`): ops a program runs afterwards use it too; tensors
 *   made earlier on another backend stay readable and are moved on use, as tfjs always does;
 * - on the wasm backend only: BatchMatMul, _FusedMatMul and a few elementwise kernels are replaced
 *   by BLAS-backed and fused ones computing the same results (reversible: `uninstall*Kernels`),
 *   and UnsortedSegmentSum is added where tfjs lacks it; no other backend's kernels are touched;
 * - the gradient registry: fnd registers its own gradients for the kernels BERT differentiates
 *   through (Add, MatMul, Softmax, GatherV2, ... see gradients.ts), replacing any registered for
 *   those kernels before; they are checked against finite differences. Gradients of other
 *   kernels, and a program's own kernels, are left alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FndBackendError } from '../../util/errors.js';
import { initBackend as startBackend, type BackendInfo, type InitBackendOptions } from './init.js';

// tfjs's engine is process-wide state; so is the record of the backend fnd started in it.
let started: Promise<BackendInfo> | undefined;

/**
 * Chooses and starts the tensor backend explicitly (`prefer` forces one, as `--backend` does).
 * Optional: the library starts the default choice by itself on first use.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const attempt = startBackend(options);
  started = attempt;
  // A failed start is not remembered: the next use tries again (and reports again).
  attempt.catch(() => {
    if (started === attempt) started = undefined;
  });
  return attempt;
}

/**
 * Makes sure a backend runs: the one fnd started, or one the program set itself before fnd's
 * first use (kept: fnd does not switch a running program's backend; `initBackend()` does), or
 * else fnd's default choice, started now.
 */
export async function ensureBackend(): Promise<void> {
  if (started) {
    await started;
    return;
  }
  if (backendRunning()) return;
  await initBackend();
}

/** Whether tfjs has a running backend now (one fnd started, or one the program set itself). */
export function backendRunning(): boolean {
  // tfjs has no public "is a backend running" query; its engine keeps the instance here.
  return (tf.engine() as unknown as { backendInstance: unknown }).backendInstance != null;
}

/** For synchronous code that needs tensors: refuses, with the way out, when no backend runs yet. */
export function requireRunningBackend(what: string): void {
  if (backendRunning()) return;
  throw new FndBackendError(
    `${what} needs a tensor backend and none is running yet; it is synchronous and cannot start one: ` +
      '`await initBackend()` first, or call an async fnd function first (loadModel, Trainer.train, evaluate, predict start it)',
  );
}
