/**
 * One training step: forward + backward for each micro-batch (gradients summed, weighted by
 * micro-batch size so micro-batching equals one big batch), global-norm clipping, AdamW.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FndDataError } from '../../util/errors.js';
import type { BertForSequenceClassification } from '../bert/model.js';
import { prepareInputs, disposeInputs, type IdsInput } from '../bert/inputs.js';
import { crossEntropy } from './loss.js';
import { ensureGradients } from './gradients.js';
import { globalNorm, clipCoefficient } from './clip.js';
import type { AdamW } from './adamw.js';
import { activeNativeKernels } from '../backend/bert-kernels.js';
import { f32View, type WasmBackendLike } from '../backend/wasm-heap.js';

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
    if (labels.rank !== 1 || labels.shape[0] !== batch) throw new FndDataError(`labels has shape [${labels.shape.join(', ')}], expected [${batch}]`);
    return tf.cast(labels, 'int32') as tf.Tensor1D;
  }
  if (labels.length !== batch) throw new FndDataError(`labels has ${labels.length} entries for a batch of ${batch}`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= numLabels) throw new FndDataError(`label ${y} (row ${i}) is not a class index in [0, ${numLabels})`);
  }
  return tf.tensor1d(Int32Array.from(labels), 'int32');
}

/** The wasm backend when active (gradients are then read straight off its heap), else undefined. */
function wasmHeap(): WasmBackendLike | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as Partial<WasmBackendLike>;
  return backend.dataIdMap && backend.wasm ? (backend as WasmBackendLike) : undefined;
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
/** Loss and the gradient tensors (caller disposes), in `names` order. */
function gradientTensors(
  model: BertForSequenceClassification,
  batch: TrainBatch,
  training: boolean,
): { loss: number; names: string[]; tensors: tf.Tensor[] } {
  ensureGradients();
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
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.forwardPrepared(prepared, training).logits, y), vars);
    const loss = value.dataSync()[0]!;
    value.dispose();
    return { loss, names, tensors: vars.map((v) => grads[v.name]!) };
  } finally {
    labels?.dispose();
    disposeInputs(prepared);
  }
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
  const weight = options.weight ?? 1;
  const { loss, names, tensors } = gradientTensors(model, batch, options.training ?? true);
  try {
    const out = options.into ?? new Map<string, Float32Array>();
    // On wasm each gradient is copied off the heap view into one block (a memcpy per parameter;
    // dataSync's slice-and-wrap took ~35 ms a TinyBERT step), or added from the view directly.
    const heap = wasmHeap();
    const block = heap && !options.into && weight === 1 ? new Float32Array(tensors.reduce((n, t) => n + t.size, 0)) : undefined;
    let offset = 0;
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const g = tensors[k]!;
      // A heap view is valid until the next allocation on the heap: used at once, before dispose.
      // Otherwise dataSync hands over the values; the tensor is disposed right after, so nothing aliases them.
      const data = heap && g.dtype === 'float32' ? f32View(heap, g) : (g.dataSync() as Float32Array);
      const acc = out.get(name);
      if (acc) {
        for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + data[i]! * weight;
      } else if (block) {
        const dst = block.subarray(offset, offset + data.length);
        dst.set(data);
        offset += data.length;
        out.set(name, dst);
      } else if (weight === 1) {
        out.set(name, heap ? data.slice() : data);
      } else {
        const scaled = new Float32Array(data.length);
        for (let i = 0; i < data.length; i++) scaled[i] = data[i]! * weight;
        out.set(name, scaled);
      }
      g.dispose();
    }
    return { loss, grads: out };
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * Gradients left on the wasm heap, seen through views made afresh on every read: a view is only
 * valid until the heap next grows, and the optimizer may allocate between parameters (when it
 * cannot update one in place). Saves copying every gradient off the heap (~58 MB for TinyBERT).
 */
class HeapGradients extends Map<string, Float32Array> {
  constructor(private readonly heap: WasmBackendLike, private readonly tensors: Map<string, tf.Tensor>) {
    super();
  }
  override get(name: string): Float32Array | undefined {
    const t = this.tensors.get(name);
    return t ? f32View(this.heap, t) : undefined;
  }
  override has(name: string): boolean {
    return this.tensors.has(name);
  }
  override get size(): number {
    return this.tensors.size;
  }
  override *values(): MapIterator<Float32Array> {
    for (const name of this.tensors.keys()) yield this.get(name)!;
  }
  override *keys(): MapIterator<string> {
    yield* this.tensors.keys();
  }
  override *entries(): MapIterator<[string, Float32Array]> {
    for (const name of this.tensors.keys()) yield [name, this.get(name)!];
  }
  override [Symbol.iterator](): MapIterator<[string, Float32Array]> {
    return this.entries();
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

/** globalNorm (float64 sum of squares), on all cores through the native kernels when they are loaded. */
function gradientNorm(grads: Map<string, Float32Array>): number {
  const native = activeNativeKernels();
  if (!native) return globalNorm(grads.values());
  let sum = 0;
  for (const g of grads.values()) sum += native.sumSquares(g);
  return Math.sqrt(sum);
}

/** One optimizer update from a batch, or from micro-batches whose gradients are accumulated. */
export function trainStep(
  model: BertForSequenceClassification,
  optimizer: AdamW,
  batch: TrainBatch | TrainBatch[],
  options: TrainStepOptions = {},
): StepResult {
  const micro = Array.isArray(batch) ? batch : [batch];
  if (micro.length === 0) throw new FndDataError('trainStep needs at least one batch');
  const heap = wasmHeap();
  if (micro.length === 1 && heap) {
    // One batch on wasm: the optimizer reads the gradients where backprop left them.
    const { loss, names, tensors } = gradientTensors(model, micro[0]!, options.training ?? true);
    try {
      const grads = new HeapGradients(heap, new Map(names.map((name, k) => [name, tensors[k]!])));
      return update(optimizer, grads, loss, options);
    } finally {
      tf.dispose(tensors);
    }
  }
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
  return update(optimizer, grads!, loss, options);
}

/** Clipping and the AdamW update from summed gradients. */
function update(optimizer: AdamW, grads: Map<string, Float32Array>, loss: number, options: TrainStepOptions): StepResult {
  const gradNorm = gradientNorm(grads);
  const lr = options.lr ?? optimizer.lr;
  optimizer.step(grads, { lr, gradScale: clipCoefficient(gradNorm, options.maxGradNorm ?? 1.0) });
  return { loss, gradNorm, lr };
}
