/**
 * One training step: forward + backward for each micro-batch (gradients summed, weighted by
 * micro-batch size so micro-batching equals one big batch), global-norm clipping, AdamW.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FndError } from '../../util/errors.js';
import type { BertForSequenceClassification } from '../bert/model.js';
import { prepareInputs, disposeInputs, type IdsInput } from '../bert/inputs.js';
import { crossEntropy } from './loss.js';
import { ensureGradients } from './gradients.js';
import { globalNorm, clipCoefficient } from './clip.js';
import type { AdamW } from './adamw.js';

export interface TrainBatch {
  inputIds: IdsInput;
  attentionMask?: IdsInput;
  tokenTypeIds?: IdsInput;
  /** Class index per row. */
  labels: number[] | Int32Array | tf.Tensor1D;
}

export interface GradientResult {
  /** Mean cross-entropy of the batch. */
  loss: number;
  /** Gradient per trainable parameter (Hugging Face names), times `weight`. */
  grads: Map<string, Float32Array>;
}

function labelsTensor(labels: TrainBatch['labels'], batch: number, numLabels: number): tf.Tensor1D {
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1 || labels.shape[0] !== batch) throw new FndError(`labels has shape [${labels.shape.join(', ')}], expected [${batch}]`);
    return tf.cast(labels, 'int32') as tf.Tensor1D;
  }
  if (labels.length !== batch) throw new FndError(`labels has ${labels.length} entries for a batch of ${batch}`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= numLabels) throw new FndError(`label ${y} (row ${i}) is not a class index in [0, ${numLabels})`);
  }
  return tf.tensor1d(Int32Array.from(labels), 'int32');
}

export function batchSize(batch: TrainBatch): number {
  const ids = batch.inputIds;
  if (ids instanceof tf.Tensor) return ids.shape[0]!;
  if (Array.isArray(ids)) return ids.length;
  return ids.shape[0];
}

/**
 * Loss and gradients of one batch. With `into`, gradients (times `weight`) are added to those
 * arrays (gradient accumulation); otherwise fresh arrays are returned.
 */
export function computeGradients(
  model: BertForSequenceClassification,
  batch: TrainBatch,
  options: { training?: boolean; weight?: number; into?: Map<string, Float32Array> } = {},
): GradientResult {
  ensureGradients();
  const weight = options.weight ?? 1;
  const prepared = prepareInputs(batch, model.config);
  let labels: tf.Tensor1D | undefined;
  const names: string[] = [];
  const vars: tf.Variable[] = [];
  for (const [name, v] of model.params) {
    if (v.trainable) {
      names.push(name);
      vars.push(v);
    }
  }
  try {
    labels = labelsTensor(batch.labels, prepared.batch, model.config.numLabels);
    const y = labels;
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forwardPrepared(prepared, options.training ?? true).logits, y),
      vars,
    );
    const loss = value.dataSync()[0]!;
    value.dispose();
    const out = options.into ?? new Map<string, Float32Array>();
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const g = grads[vars[k]!.name]!;
      // dataSync hands over the values; the tensor is disposed right after, so nothing aliases them.
      const data = g.dataSync() as Float32Array;
      g.dispose();
      const acc = out.get(name);
      if (acc) {
        for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + data[i]! * weight;
      } else if (weight === 1) {
        out.set(name, data);
      } else {
        const scaled = new Float32Array(data.length);
        for (let i = 0; i < data.length; i++) scaled[i] = data[i]! * weight;
        out.set(name, scaled);
      }
    }
    return { loss, grads: out };
  } finally {
    labels?.dispose();
    disposeInputs(prepared);
  }
}

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping (what clip_grad_norm_ returns). */
  gradNorm: number;
  lr: number;
}

export interface TrainStepOptions {
  /** Learning rate for this step (default: the optimizer's). */
  lr?: number;
  /** Clip the global gradient norm to this (default 1.0; 0 or Infinity turns clipping off). */
  maxGradNorm?: number;
  /** Dropout on (default true). */
  training?: boolean;
}

/** One optimizer update from a batch, or from micro-batches whose gradients are accumulated. */
export function trainStep(
  model: BertForSequenceClassification,
  optimizer: AdamW,
  batch: TrainBatch | TrainBatch[],
  options: TrainStepOptions = {},
): StepResult {
  const micro = Array.isArray(batch) ? batch : [batch];
  if (micro.length === 0) throw new FndError('trainStep needs at least one batch');
  const sizes = micro.map(batchSize);
  const total = sizes.reduce((a, b) => a + b, 0);
  let grads: Map<string, Float32Array> | undefined;
  let loss = 0;
  for (let i = 0; i < micro.length; i++) {
    const weight = sizes[i]! / total;
    const r = computeGradients(model, micro[i]!, { training: options.training, weight, into: grads });
    grads = r.grads;
    loss += r.loss * weight;
  }
  const gradNorm = globalNorm(grads!.values());
  const lr = options.lr ?? optimizer.lr;
  optimizer.step(grads!, { lr, gradScale: clipCoefficient(gradNorm, options.maxGradNorm ?? 1.0) });
  return { loss, gradNorm, lr };
}
