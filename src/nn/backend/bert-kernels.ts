/**
 * Fused BERT kernels for the wasm backend, written in JS over views of the wasm heap. The model
 * (src/nn/bert/layers.ts) uses them through tf.customGrad when they are registered for the
 * active backend, and the plain tfjs ops otherwise, so other backends compute what they always did.
 *
 * Why (TinyBERT profile, batch 8): softmax over [B, heads, S, S] plus the additive mask plus
 * tf.dropout ran as five full-size kernels, and autograd kept scores, probabilities, the dropout
 * multiplier and its product alive for backward: at seq 512 that is ~400 MB per layer, which
 * overflowed the 4 GiB wasm heap at batch 8. Here one pass gives the probabilities (kept for
 * backward) and the dropped-out copy; the dropout mask is a hash of (seed, index), recomputed in
 * backward instead of stored. GELU: tfjs's wasm Erf was 7x slower than a multiply, and the
 * composite forward/backward ran ~8 elementwise kernels; here one pass each way.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-override.js';
import { f32View, sizeOf, type WasmBackendLike } from './wasm-heap.js';
import type { NativeKernels } from './native-kernels.js';
import { DENSE, LAYER_NORM, LAYER_NORM_GRAD, nativeBertKernels } from './native-bert-kernels.js';

export { DENSE, LAYER_NORM, LAYER_NORM_GRAD };

export const ATTENTION_PROBS = 'FndAttentionProbs';
export const ATTENTION_PROBS_GRAD = 'FndAttentionProbsGrad';
export const ATTENTION_DROPOUT = 'FndAttentionDropout';
export const GELU = 'FndGelu';
export const GELU_GRAD = 'FndGeluGrad';
/** Inverted dropout of any tensor by the (seed, index) hash; its gradient is the same kernel on dy. */
export const DROPOUT = 'FndDropout';
export const BERT_KERNELS = [ATTENTION_PROBS, ATTENTION_PROBS_GRAD, ATTENTION_DROPOUT, GELU, GELU_GRAD, DROPOUT] as const;

/**
 * Whether element `i` survives dropout with keep probability `keep`: a stateless integer hash of
 * (seed, i), so backward regenerates exactly the forward mask without storing it.
 */
function keeps(seed: number, i: number, threshold: number): boolean {
  let h = (seed ^ Math.imul(i, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0 < threshold;
}

function dropoutThreshold(rate: number): number {
  return Math.floor((1 - rate) * 4294967296);
}

interface ProbsAttrs { rate: number; seed: number }

/**
 * scores [B, H, S, S] and an additive mask with B*S values ([B, 1, 1, S]) → probabilities
 * softmax(scores + mask) over the last axis, and (rate > 0) the dropped-out probabilities.
 */
function attentionProbs(args: KernelArgs): TensorInfo[] {
  const { scores, mask } = args.inputs as { scores: TensorInfo; mask: TensorInfo };
  const { rate, seed } = args.attrs as unknown as ProbsAttrs;
  const backend = args.backend as unknown as WasmBackendLike;
  const shape = scores.shape;
  const S = shape[shape.length - 1]!;
  const rowsPerBatch = sizeOf(shape.slice(1, -1));
  const total = sizeOf(shape);
  if (sizeOf(mask.shape) !== (shape[0]! * S)) throw new Error(`${ATTENTION_PROBS}: mask ${mask.shape} does not match scores ${shape}`);
  const probs = backend.makeOutput(shape, 'float32');
  const dropped = rate > 0 ? backend.makeOutput(shape, 'float32') : undefined;
  const x = f32View(backend, scores);
  const m = f32View(backend, mask);
  const p = f32View(backend, probs);
  const y = dropped ? f32View(backend, dropped) : undefined;
  const threshold = dropoutThreshold(rate);
  const scale = Math.fround(1 / (1 - rate));
  for (let row = 0, base = 0; base < total; row++, base += S) {
    const mb = Math.floor(row / rowsPerBatch) * S;
    let max = -Infinity;
    for (let j = 0; j < S; j++) {
      const v = x[base + j]! + m[mb + j]!;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let j = 0; j < S; j++) {
      const e = Math.exp(x[base + j]! + m[mb + j]! - max);
      p[base + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < S; j++) p[base + j] = p[base + j]! * inv;
    if (y) for (let j = 0; j < S; j++) y[base + j] = keeps(seed, base + j, threshold) ? p[base + j]! * scale : 0;
  }
  return dropped ? [probs, dropped] : [probs];
}

/** The dropped-out probabilities again, from the kept probabilities and the seed (for backward). */
function attentionDropout(args: KernelArgs): TensorInfo {
  const { probs } = args.inputs as { probs: TensorInfo };
  const { rate, seed } = args.attrs as unknown as ProbsAttrs;
  const backend = args.backend as unknown as WasmBackendLike;
  const out = backend.makeOutput(probs.shape, 'float32');
  const p = f32View(backend, probs);
  const y = f32View(backend, out);
  const threshold = dropoutThreshold(rate);
  const scale = Math.fround(1 / (1 - rate));
  for (let i = 0; i < p.length; i++) y[i] = keeps(seed, i, threshold) ? p[i]! * scale : 0;
  return out;
}

/** x * keep / (1 - rate) for any float32 tensor (hidden-state dropout), the attention dropout's mask rule. */
function dropoutKernel(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  return attentionDropout({ ...args, inputs: { probs: x } });
}

/** d scores from d(dropped probs) and the probabilities: P * (dP - sum(dP * P)), dP = dY * mask / keep. */
function attentionProbsGrad(args: KernelArgs): TensorInfo {
  const { dy, probs } = args.inputs as { dy: TensorInfo; probs: TensorInfo };
  const { rate, seed } = args.attrs as unknown as ProbsAttrs;
  const backend = args.backend as unknown as WasmBackendLike;
  const shape = probs.shape;
  const S = shape[shape.length - 1]!;
  const total = sizeOf(shape);
  const out = backend.makeOutput(shape, 'float32');
  const g = f32View(backend, dy);
  const p = f32View(backend, probs);
  const dx = f32View(backend, out);
  const threshold = dropoutThreshold(rate);
  const scale = Math.fround(1 / (1 - rate));
  for (let base = 0; base < total; base += S) {
    if (rate > 0) {
      for (let j = 0; j < S; j++) dx[base + j] = keeps(seed, base + j, threshold) ? g[base + j]! * scale : 0;
    } else {
      for (let j = 0; j < S; j++) dx[base + j] = g[base + j]!;
    }
    let dot = 0;
    for (let j = 0; j < S; j++) dot += dx[base + j]! * p[base + j]!;
    for (let j = 0; j < S; j++) dx[base + j] = p[base + j]! * (dx[base + j]! - dot);
  }
  return out;
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), the formula tfjs's own Erf kernels use. */
function erf(v: number): number {
  const sign = v < 0 ? -1 : 1;
  const a = Math.abs(v);
  const t = 1 / (1 + 0.3275911 * a);
  return sign * (1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a));
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2. */
function geluForward(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const backend = args.backend as unknown as WasmBackendLike;
  const out = backend.makeOutput(x.shape, 'float32');
  const xs = f32View(backend, x);
  const ys = f32View(backend, out);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    ys[i] = v * 0.5 * (1 + erf(v * Math.SQRT1_2));
  }
  return out;
}

/** dy * (Phi(x) + x * phi(x)). */
function geluBackward(args: KernelArgs): TensorInfo {
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const backend = args.backend as unknown as WasmBackendLike;
  const out = backend.makeOutput(x.shape, 'float32');
  const xs = f32View(backend, x);
  const gs = f32View(backend, dy);
  const ds = f32View(backend, out);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
    ds[i] = gs[i]! * (cdf + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
  }
  return out;
}

const FUNCS: Record<(typeof BERT_KERNELS)[number], (args: KernelArgs) => TensorInfo | TensorInfo[]> = {
  [ATTENTION_PROBS]: attentionProbs,
  [ATTENTION_PROBS_GRAD]: attentionProbsGrad,
  [ATTENTION_DROPOUT]: attentionDropout,
  [GELU]: geluForward,
  [GELU_GRAD]: geluBackward,
  [DROPOUT]: dropoutKernel,
};

/** Kernels that exist only natively (the model falls back to tf ops without them). */
export const NATIVE_ONLY_KERNELS = [LAYER_NORM, LAYER_NORM_GRAD, DENSE] as const;

/** A registered fnd kernel backed by the native addon carries it, so others (AdamW) can find it. */
interface NativeKernelConfig extends tf.KernelConfig { fndNative?: NativeKernels }

/**
 * Registers the kernels for wasm (additions under fnd's own names: nothing of tfjs is replaced):
 * the native ones when `native` is given, plus LayerNorm; the JS ones otherwise. Replaces any
 * earlier registration, so switching between the two is possible (tests, doctor).
 */
export function installBertKernels(native?: NativeKernels): void {
  uninstallBertKernels();
  const nativeFuncs = native ? nativeBertKernels(native) : undefined;
  for (const name of BERT_KERNELS) {
    const kernelFunc = (nativeFuncs?.[name] ?? FUNCS[name]) as unknown as KernelFunc;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, fndNative: native } as NativeKernelConfig);
  }
  if (!nativeFuncs) return;
  for (const name of NATIVE_ONLY_KERNELS) {
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: nativeFuncs[name] as unknown as KernelFunc, fndNative: native } as NativeKernelConfig);
  }
}

export function uninstallBertKernels(): void {
  for (const name of [...BERT_KERNELS, ...NATIVE_ONLY_KERNELS]) if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
}

/** The native addon behind the active backend's fused kernels, when they are the native ones. */
export function activeNativeKernels(): NativeKernels | undefined {
  return (tf.getKernel(GELU, tf.getBackend()) as NativeKernelConfig | undefined)?.fndNative;
}

/**
 * Whether to use the fused kernel `name`: it is registered for the active backend and either it is
 * native or gradients are being recorded. Without a tape (inference) tfjs's own SIMD wasm kernels
 * are faster than the JS loops (measured: TinyBERT forward at seq 128, ~200 ms plain vs ~300 ms
 * fused), so the JS ones are used in training only, where they decide what backprop keeps; the
 * native ones (vectorised, multi-threaded) beat tfjs's in both.
 */
export function useFused(name: string): boolean {
  const config = tf.getKernel(name, tf.getBackend()) as NativeKernelConfig | undefined;
  if (config == null) return false;
  if (config.fndNative) return true;
  return isRecording();
}

/** Whether tfjs is recording operations for gradients (inside tf.grads / variableGrads). */
export function isRecording(): boolean {
  // tfjs exposes no public "is the tape recording" query; gradientDepth is what it checks itself.
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 1) > 0;
}
