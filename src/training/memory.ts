/**
 * How much of the wasm heap a training micro-batch needs, and advice when it cannot fit.
 *
 * The wasm backend's heap stops at 4 GiB (measured: the 17th 256 MiB tensor fails with "memory
 * access out of bounds"), and a failure there comes mid-epoch, after minutes of work. So the
 * train stage checks up front.
 *
 * The coefficients are measured, not theoretical: tfjs's gradient tape keeps every forward
 * intermediate AND every backward intermediate alive until the whole backward pass ends, so the
 * peak is about 10× the activations a framework that frees as it goes would hold. Measured with
 * tf.profile (peakBytes) on wasm-blas for BERT layers with H 120–312, F 300–1200, 12 heads,
 * S 128–256, B 4–8, dropout 0.1 (see the train helper report); the fit is within ~10%, and the
 * margin below covers the rest. Re-measure when src/nn gets lighter (fused attention, ...).
 */

/**
 * Heap use per token per layer (floats, per unit of hidden and of FFN size) and copies of the
 * [B, heads, S, S] attention matrix alive at the peak, for the two ways the wasm backend trains:
 * - `tfjs`: tfjs's own kernels (plain wasm, or no native kernels): the tape keeps every
 *   intermediate until backward ends (coefficients above).
 * - `native`: fnd's native kernels (src/nn/backend, native/fnd-kernels) fuse softmax/mask/dropout
 *   and GELU and free what backward has used. Measured on wasm-blas for TinyBERT's shape after
 *   two training steps (heap size): S 128 × B 8/16/32 → 391/662/1211 MiB, S 512 × B 2/4/8/12 →
 *   469/819/1583/2443 MiB; these coefficients over-estimate each of those by 20–60%
 *   (`node --import tsx bench/training-memory.ts` prints both side by side).
 */
const COEFFICIENTS = {
  tfjs: { perHidden: 124, perFfn: 25, attentionCopies: 8.5 },
  // attentionCopies is 3, not the 1.5 the TinyBERT fit gives: for shapes where attention dominates
  // (small hidden, long sequences) the peak holds the scores, the probabilities and their gradient.
  native: { perHidden: 27.6, perFfn: 5.55, attentionCopies: 3 },
} as const;
export type KernelSet = keyof typeof COEFFICIENTS;
/** Parameters, gradients and (conservatively) two Adam moments. */
const WEIGHT_COPIES = 4;

export const WASM_HEAP_LIMIT = 4 * 1024 ** 3;
/** Left free for fragmentation, the evaluation batch and the tfjs runtime. */
export const WASM_HEAP_MARGIN = 512 * 1024 ** 2;

export interface ModelShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  parameters: number;
  /** Which kernels train it on wasm (default `tfjs`, the conservative estimate). */
  kernels?: KernelSet;
}

export interface MemoryEstimate {
  attention: number;
  activations: number;
  weights: number;
  total: number;
}

export function estimateTrainingMemory(model: ModelShape, batch: number, seqLen: number): MemoryEstimate {
  const tokens = batch * seqLen;
  const k = COEFFICIENTS[model.kernels ?? 'tfjs'];
  const attention = model.layers * batch * model.heads * seqLen * seqLen * 4 * k.attentionCopies;
  const activations = model.layers * tokens * (k.perHidden * model.hidden + k.perFfn * model.intermediate) * 4;
  const weights = model.parameters * 4 * WEIGHT_COPIES;
  return { attention, activations, weights, total: attention + activations + weights };
}

export function formatGiB(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 10 ? `${gib.toFixed(0)} GiB` : `${gib.toFixed(1)} GiB`;
}

export interface MemoryCheck {
  batch: number;
  accumulation: number;
  seqLen: number;
  /** Default: WASM_HEAP_LIMIT - WASM_HEAP_MARGIN. */
  budget?: number;
}

/**
 * undefined when the micro-batch fits; otherwise the refusal message, with the largest
 * micro-batch that fits (a divisor of the batch, so batch × accumulation stays the same).
 */
export function checkTrainingMemory(model: ModelShape, check: MemoryCheck): string | undefined {
  const budget = check.budget ?? WASM_HEAP_LIMIT - WASM_HEAP_MARGIN;
  const need = estimateTrainingMemory(model, check.batch, check.seqLen).total;
  if (need <= budget) return undefined;
  const head =
    `train: per_device_train_batch_size ${check.batch} at length ${check.seqLen} needs ~${formatGiB(need)} on the wasm backend, ` +
    `whose heap stops at ${formatGiB(WASM_HEAP_LIMIT)} (${formatGiB(budget)} usable)`;
  let fit = 0;
  for (let b = check.batch - 1; b >= 1; b--) {
    if (check.batch % b === 0 && estimateTrainingMemory(model, b, check.seqLen).total <= budget) {
      fit = b;
      break;
    }
  }
  if (fit === 0) {
    return `${head}; even a micro-batch of 1 does not fit: tokenize with a smaller max_length, or use a GPU backend (@tensorflow/tfjs-node-gpu)`;
  }
  const accumulation = check.accumulation * (check.batch / fit);
  return (
    `${head}. Use per_device_train_batch_size: ${fit} with gradient_accumulation_steps: ${accumulation} ` +
    `(the same ${check.batch * check.accumulation} examples per update), or a GPU backend`
  );
}

/** The largest batch <= `upTo` whose training estimate fits (at least 1): a safe forward-only batch. */
export function largestFittingBatch(model: ModelShape, upTo: number, seqLen: number, budget = WASM_HEAP_LIMIT - WASM_HEAP_MARGIN): number {
  for (let b = upTo; b > 1; b--) if (estimateTrainingMemory(model, b, seqLen).total <= budget) return b;
  return 1;
}
