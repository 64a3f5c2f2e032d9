/**
 * Batched inference shared by the evaluate stage and `fnd predict`: logits for every example,
 * then probabilities, predictions and the mean cross-entropy computed in float64 in JS.
 *
 * Examples are batched in order of length and each batch is padded only to its longest row:
 * padded positions are masked out of attention, so the logits are those of max_length padding
 * with far less work. Every forward pass runs inside tf.tidy; only the logits leave it, and they
 * are disposed once read, so the tensor count returns to where it started.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import { FndError } from '../util/errors.js';

/** Padded token ids for a set of examples (the tokens artifact's `batch` has this shape). */
export interface BatchSource {
  count: number;
  /** True length of each example (special tokens included). */
  lengths: ArrayLike<number>;
  batch(indices: readonly number[], padTo: 'longest'): { inputIds: Int32Array; attentionMask: Int32Array; tokenTypeIds: Int32Array; length: number };
}

export interface InferenceOptions {
  batchSize: number;
  signal?: AbortSignal;
  /** Called after each batch with the number of examples done. */
  onProgress?: (done: number, total: number) => void;
}

export interface Inference {
  /** count × numLabels logits, row-major, in the source's order. */
  logits: Float32Array;
  numLabels: number;
  count: number;
  /** Seconds spent in the forward passes (reading results included). */
  seconds: number;
}

/** Indices sorted by length (stable), so a batch holds rows of similar length. */
function byLength(lengths: ArrayLike<number>, count: number): number[] {
  return Array.from({ length: count }, (_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
}

export async function inferLogits(model: BertForSequenceClassification, source: BatchSource, options: InferenceOptions): Promise<Inference> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new FndError(`batch size must be a positive integer, got ${options.batchSize}`);
  const numLabels = model.config.numLabels;
  const logits = new Float32Array(source.count * numLabels);
  const order = byLength(source.lengths, source.count);
  const started = performance.now();
  for (let start = 0; start < order.length; start += options.batchSize) {
    if (options.signal?.aborted) throw new FndError('inference interrupted');
    const indices = order.slice(start, start + options.batchSize);
    const batch = source.batch(indices, 'longest');
    const shape: [number, number] = [indices.length, batch.length];
    const out = tf.tidy(
      () =>
        model.forward({
          inputIds: { data: batch.inputIds, shape },
          attentionMask: { data: batch.attentionMask, shape },
          tokenTypeIds: { data: batch.tokenTypeIds, shape },
        }).logits,
    );
    let values: Float32Array;
    try {
      values = (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
    indices.forEach((index, row) => logits.set(values.subarray(row * numLabels, (row + 1) * numLabels), index * numLabels));
    options.onProgress?.(Math.min(start + indices.length, order.length), order.length);
    // Let progress events and Ctrl-C through between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { logits, numLabels, count: source.count, seconds: (performance.now() - started) / 1000 };
}

/** Softmax of each row, in float64. */
export function probabilitiesOf(inference: Pick<Inference, 'logits' | 'numLabels' | 'count'>): number[][] {
  const { logits, numLabels, count } = inference;
  const rows: number[][] = [];
  for (let i = 0; i < count; i++) {
    const row = Array.from(logits.subarray(i * numLabels, (i + 1) * numLabels));
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    rows.push(exps.map((e) => e / sum));
  }
  return rows;
}

/** Index of the largest value (the first one on ties, as numpy's argmax). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Mean cross-entropy of the true labels (log-sum-exp minus the true logit), as the Trainer's eval_loss. */
export function meanCrossEntropy(inference: Pick<Inference, 'logits' | 'numLabels' | 'count'>, labels: ArrayLike<number>): number {
  const { logits, numLabels, count } = inference;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const row = logits.subarray(i * numLabels, (i + 1) * numLabels);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const label = labels[i]!;
    if (!(label >= 0 && label < numLabels)) throw new FndError(`example ${i} has label ${label}, outside the model's ${numLabels} classes`);
    total += max + Math.log(sum) - row[label]!;
  }
  return total / count;
}
