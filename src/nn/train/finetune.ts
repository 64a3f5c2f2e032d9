/**
 * fineTune: the Hugging Face Trainer's optimisation loop for sequence classification — shuffled
 * batches each epoch from a seed, gradient accumulation, AdamW with grouped decay, global-norm
 * clipping, linear (or constant) schedule with warmup — returning the per-step history.
 */
import { FndError } from '../../util/errors.js';
import { createRng } from '../../util/rng.js';
import type { BertForSequenceClassification } from '../bert/model.js';
import { createAdamW, type AdamW } from './adamw.js';
import { learningRateAt, type ScheduleName } from './schedule.js';
import { trainStep, type TrainBatch } from './step.js';
import { arrayBatchProvider, isBatchProvider, type BatchProvider, type ClassificationData } from './data.js';

export interface StepLog {
  /** 1-based optimizer step. */
  step: number;
  /** 0-based epoch the step belongs to. */
  epoch: number;
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Learning rate used for this step. */
  lr: number;
  /** Examples in this step. */
  examples: number;
}

export interface FineTuneOptions {
  model: BertForSequenceClassification;
  data: ClassificationData | BatchProvider;
  /** Peak learning rate. Default 5e-5. */
  learningRate?: number;
  /** AdamW decay for weights (not biases / LayerNorm weights). Default 0. */
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
  /** Global-norm clipping threshold; 0 turns it off. Default 1.0. */
  maxGradNorm?: number;
  /** Examples per forward pass. Default 8. */
  batchSize?: number;
  /** Forward passes whose gradients make one optimizer step. Default 1. */
  gradientAccumulationSteps?: number;
  /** Split every forward pass into chunks of at most this many examples (same result, less memory). */
  microBatchSize?: number;
  /** Optimizer steps to run; overrides epochs. */
  maxSteps?: number;
  /** Passes over the data when maxSteps is not given. Default 1. */
  epochs?: number;
  warmupSteps?: number;
  /** Default 'linear' (decay to 0 at the last step), as the Trainer. */
  schedule?: ScheduleName;
  /** Reshuffle each epoch. Default true. */
  shuffle?: boolean;
  /** Seeds shuffling and dropout. Default 0. */
  seed?: number;
  /** Continue a run: an optimizer holding the saved state, and the steps already done. */
  optimizer?: AdamW;
  startStep?: number;
  /** Called after every optimizer step (awaited: it may save a checkpoint or evaluate). */
  onStep?: (log: StepLog) => void | Promise<void>;
  /** Stops after the current step when aborted. */
  signal?: AbortSignal;
}

export interface FineTuneResult {
  history: StepLog[];
  optimizer: AdamW;
  /** Optimizer steps completed in total (startStep included). */
  steps: number;
  totalSteps: number;
  stepsPerEpoch: number;
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new FndError(`fineTune: ${name} must be a positive integer, got ${value}`, { exitCode: 2 });
  return v;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  const { model } = options;
  const data = isBatchProvider(options.data) ? options.data : arrayBatchProvider(options.data);
  if (data.size === 0) throw new FndError('fineTune: the training data is empty');
  const batchSize = positiveInt(options.batchSize, 8, 'batchSize');
  const accumulation = positiveInt(options.gradientAccumulationSteps, 1, 'gradientAccumulationSteps');
  const micro = positiveInt(options.microBatchSize, batchSize, 'microBatchSize');
  const lr = options.learningRate ?? 5e-5;
  if (!(lr >= 0)) throw new FndError(`fineTune: learningRate must be >= 0, got ${lr}`, { exitCode: 2 });
  const warmup = options.warmupSteps ?? 0;
  const batchesPerEpoch = Math.ceil(data.size / batchSize);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / accumulation);
  const totalSteps = options.maxSteps !== undefined
    ? positiveInt(options.maxSteps, 1, 'maxSteps')
    : positiveInt(options.epochs, 1, 'epochs') * stepsPerEpoch;
  const seed = options.seed ?? 0;
  const optimizer = options.optimizer ?? createAdamW(model.params, {
    lr, weightDecay: options.weightDecay ?? 0, betas: options.betas, eps: options.eps,
  });
  const startStep = options.startStep ?? 0;
  const shuffleRng = createRng(seed);
  const history: StepLog[] = [];
  let step = 0;
  for (let epoch = 0; step < totalSteps; epoch++) {
    const order = Array.from({ length: data.size }, (_, i) => i);
    // Shuffled every epoch even when resuming, so a resumed run sees the same order.
    if (options.shuffle ?? true) shuffleRng.shuffle(order);
    const batches = chunk(order, batchSize);
    for (const group of chunk(batches, accumulation)) {
      if (step >= totalSteps) break;
      step += 1;
      if (step <= startStep) continue;
      const microBatches: TrainBatch[] = group.flatMap((rows) => chunk(rows, micro)).map((rows) => data.batch(rows));
      // Dropout seeded per step: a resumed run draws the same masks as an uninterrupted one.
      model.setDropoutSeed(((seed * 7919) ^ (step * 104729)) >>> 0);
      const stepLr = learningRateAt(options.schedule ?? 'linear', lr, step - 1, warmup, totalSteps);
      const result = trainStep(model, optimizer, microBatches, { lr: stepLr, maxGradNorm: options.maxGradNorm ?? 1.0 });
      if (!Number.isFinite(result.loss)) {
        throw new FndError(`training diverged: the loss is ${result.loss} at step ${step} (learning rate ${stepLr}); try a lower learningRate or maxGradNorm`);
      }
      const log: StepLog = { step, epoch, loss: result.loss, gradNorm: result.gradNorm, lr: stepLr, examples: group.reduce((n, b) => n + b.length, 0) };
      history.push(log);
      if (options.onStep) await options.onStep(log);
      if (options.signal?.aborted) return { history, optimizer, steps: step, totalSteps, stepsPerEpoch };
    }
  }
  return { history, optimizer, steps: step, totalSteps, stepsPerEpoch };
}
