/**
 * The Trainer: fnd's one training loop, with the Hugging Face Trainer's semantics and shape
 * (TrainingArguments, TrainerState, callbacks over a control object). Seeded shuffling each
 * epoch, micro-batches with gradient accumulation, linear warmup and decay, AdamW, global-norm
 * clipping; evaluation, checkpoints, logging and early stopping when the callbacks ask for them
 * (each epoch or every N steps); best-model selection; resuming from the last checkpoint.
 * The train stage runs exactly this.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ProgressUpdate, StageLogger } from '../sdk/index.js';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import { createAdamW, type AdamW } from '../nn/train/adamw.js';
import { trainStep, type TrainBatch } from '../nn/train/step.js';
import { learningRateAt } from '../nn/train/schedule.js';
import { activeNativeKernels, ensureBackend } from '../nn/backend/index.js';
import { FndTrainingError } from '../util/errors.js';
import { planTraining, type TrainingPlan } from './plan.js';
import { epochSeed, epochUpdates } from './order.js';
import { greaterIsBetterFor, isBetter, metricValue, normalizeMetricName } from './best.js';
import { accumulateStep, meanTrainLoss, takeLogEntry } from './loss-log.js';
import { checkTrainingMemory, largestFittingBatch } from './memory.js';
import { formatNumber } from '../format/number.js';
import { evaluateModel, requireLabels, type EvaluationResult } from './evaluate.js';
import { checkpointName, readLatestCheckpoint, restoreOptimizer, restoreWeights, writeCheckpoint } from './checkpoint.js';
import { resolveTrainingArguments } from './arguments.js';
import type { TrainingArguments } from './params.js';
import type { TrainingDataset } from './dataset.js';
import type { TrainingHistoryFile } from './history.js';
import { historyOf, initialControl, initialTrainerState, type TrainerControl, type TrainerState } from './state.js';
import {
  DefaultFlowCallback, EarlyStoppingCallback, LoggingCallback,
  type CallbackEvent, type TrainerCallback, type TrainerLogs,
} from './callbacks.js';

export interface TrainerOptions {
  model: BertForSequenceClassification;
  /** TrainingArguments; anything left out takes transformers' default (see TRAIN_DEFAULTS). */
  args?: Partial<TrainingArguments>;
  trainDataset: TrainingDataset;
  /** Needed unless eval_strategy is "no". */
  evalDataset?: TrainingDataset;
  /** Run after the built-in ones (flow, early stopping, logging), in this order. */
  callbacks?: TrainerCallback[];
  /**
   * Checkpoints go here (transformers' output_dir; the stage's resumeDir), and train() resumes
   * from the latest one made with the same arguments and data. Without it, checkpoints go to a
   * temporary folder removed when train() returns.
   */
  outputDir?: string;
  signal?: AbortSignal;
  /** Log lines (default: none). */
  log?: StageLogger;
  /** The live progress line (default: none). */
  progress?: (update: ProgressUpdate) => void;
}

export interface TrainOutput {
  history: TrainingHistoryFile;
  state: TrainerState;
  plan: TrainingPlan;
  /** Mean loss over every optimizer step of the run. */
  trainLoss: number;
  /** Seconds spent in this call's training steps and evaluations. */
  runtimeSeconds: number;
  /** Training examples processed by this call (a resumed run counts only its own). */
  examplesSeen: number;
  /** The whole epochs a resumed run had done when it resumed (0 when it started fresh). */
  resumedFromEpoch: number;
}

const silentLog: StageLogger = { info() {}, warn() {}, debug() {} };

/** The padded width of a training batch: the split's widest row unless batches are padded to their own longest. */
function trainWidth(tokens: TrainingDataset): number {
  if (tokens.header.layout === 'padded') return tokens.header.maxLength;
  let max = 1;
  for (let i = 0; i < tokens.count; i++) max = Math.max(max, tokens.lengths[i]!);
  return max;
}

export class Trainer {
  readonly model: BertForSequenceClassification;
  readonly args: TrainingArguments;
  readonly trainDataset: TrainingDataset;
  readonly evalDataset?: TrainingDataset;
  /** What the loop has done; replaced by the checkpoint's when train() resumes. */
  state: TrainerState;
  readonly control: TrainerControl = initialControl();
  readonly signal?: AbortSignal;
  private readonly callbacks: TrainerCallback[];
  private readonly options: TrainerOptions;
  private readonly log: StageLogger;

  constructor(options: TrainerOptions) {
    this.options = options;
    this.model = options.model;
    this.trainDataset = options.trainDataset;
    this.evalDataset = options.evalDataset;
    this.signal = options.signal;
    this.args = resolveTrainingArguments(options.args ?? {}, options.evalDataset !== undefined);
    this.log = options.log ?? silentLog;
    const a = this.args;
    this.callbacks = [
      new DefaultFlowCallback(),
      ...(a.early_stopping_patience !== null ? [new EarlyStoppingCallback({ patience: a.early_stopping_patience, threshold: a.early_stopping_threshold })] : []),
      new LoggingCallback(this.log, options.progress ?? (() => {})),
      ...(options.callbacks ?? []),
    ];
    this.state = initialTrainerState(0, 0);
  }

  addCallback(callback: TrainerCallback): void {
    this.callbacks.push(callback);
  }

  /** Evaluates the model (eval mode, no dropout) on `dataset` (default: the evalDataset). */
  async evaluate(dataset: TrainingDataset | undefined = this.evalDataset): Promise<EvaluationResult> {
    if (!dataset) throw new FndTrainingError('Trainer.evaluate: no dataset to evaluate (give evalDataset to the Trainer, or pass one)');
    await ensureBackend();
    return evaluateModel(this.model, dataset, { batchSize: this.args.per_device_eval_batch_size, signal: this.options.signal });
  }

  async train(): Promise<TrainOutput> {
    await ensureBackend();
    const { model, args: a, trainDataset: train } = this;
    const validation = a.eval_strategy !== 'no' ? this.evalDataset : undefined;
    requireLabels(train, 'train', model.config.numLabels);
    if (validation) requireLabels(validation, 'validation', model.config.numLabels);

    const plan = planTraining({
      examples: train.count,
      batchSize: a.per_device_train_batch_size,
      accumulation: a.gradient_accumulation_steps,
      epochs: a.num_train_epochs,
      maxSteps: a.max_steps,
    });
    const width = trainWidth(train);
    const padTo: number | 'longest' = a.group_by_length ? 'longest' : width;
    const evalBatchSize = this.fitMemory(width, validation);
    const optimizer = createAdamW(model.params, { lr: a.learning_rate, weightDecay: a.weight_decay });
    const paramsKey = JSON.stringify({ ...a, examples: train.count, validation: validation?.count ?? 0 });

    const ownOutputDir = this.options.outputDir === undefined && a.save_strategy !== 'no';
    const outputDir = this.options.outputDir ?? (ownOutputDir ? await mkdtemp(join(tmpdir(), 'fnd-trainer-')) : undefined);
    try {
      this.state = initialTrainerState(plan.totalSteps, plan.epochs);
      const resumed = this.options.outputDir && a.save_strategy !== 'no' ? await readLatestCheckpoint(this.options.outputDir, paramsKey) : undefined;
      if (resumed) {
        await restoreWeights(model, resumed.dir);
        await restoreOptimizer(optimizer, resumed.dir);
        this.state = resumed.state;
        const s = this.state;
        this.log.info(
          s.steps_in_epoch === 0
            ? `resuming from the checkpoint of epoch ${s.epochs_completed} (step ${s.global_step} of ${plan.totalSteps})`
            : `resuming from the checkpoint of step ${s.global_step} of ${plan.totalSteps} (epoch ${round4(s.epoch)})`,
        );
      }
      const resumedFromEpoch = this.state.epochs_completed;
      this.log.info(
        `${train.count} examples, ${plan.epochs} epoch(s) of ${plan.updatesPerEpoch} step(s) ` +
          `(batch ${a.per_device_train_batch_size} × accumulation ${a.gradient_accumulation_steps}), ${plan.totalSteps} steps in all`,
      );
      const loop = new Loop(this, optimizer, plan, { width, padTo, evalBatchSize, validation, outputDir, paramsKey });
      await loop.run();
      const state = this.state;
      if (a.load_best_model_at_end && state.best_model_checkpoint && state.best_global_step !== state.global_step && outputDir) {
        await restoreWeights(model, join(outputDir, state.best_model_checkpoint));
        this.log.info(`loaded the best model: ${describeBest(state)} (${normalizeMetricName(a.metric_for_best_model)} ${state.best_metric!.toFixed(4)})`);
      }
      await this.fire('on_train_end', {});
      return {
        history: historyOf(state, normalizeMetricName(a.metric_for_best_model), a.eval_strategy === 'steps'),
        state,
        plan,
        trainLoss: meanTrainLoss(state.loss_log),
        runtimeSeconds: loop.seconds(),
        examplesSeen: loop.examplesSeen,
        resumedFromEpoch,
      };
    } finally {
      if (ownOutputDir && outputDir) await rm(outputDir, { recursive: true, force: true });
    }
  }

  /** Calls `hook` on every callback, in order, awaiting each. */
  async fire(hook: keyof TrainerCallback, event: Omit<CallbackEvent, 'model'>): Promise<void> {
    for (const callback of this.callbacks) {
      const fn = callback[hook];
      if (fn) await fn.call(callback, this.args, this.state, this.control, { model: this.model, ...event });
    }
  }

  /** Refuses a micro-batch the wasm heap cannot hold; returns the evaluation batch size that fits. */
  private fitMemory(width: number, validation: TrainingDataset | undefined): number {
    const a = this.args;
    if (tf.getBackend() !== 'wasm') return a.per_device_eval_batch_size;
    const c = this.model.config;
    const kernels = activeNativeKernels() ? ('native' as const) : ('tfjs' as const);
    const shape = { layers: c.numHiddenLayers, hidden: c.hiddenSize, heads: c.numAttentionHeads, intermediate: c.intermediateSize, parameters: this.model.numParameters(), kernels };
    const refusal = checkTrainingMemory(shape, { batch: Math.min(a.per_device_train_batch_size, this.trainDataset.count), accumulation: a.gradient_accumulation_steps, seqLen: width });
    if (refusal) throw new FndTrainingError(refusal);
    if (!validation) return a.per_device_eval_batch_size;
    // Evaluation numbers do not depend on the batch size, so a batch too big for the heap is simply cut smaller.
    const fits = largestFittingBatch(shape, Math.min(a.per_device_eval_batch_size, validation.count), trainWidth(validation));
    if (fits < Math.min(a.per_device_eval_batch_size, validation.count)) {
      this.log.info(`evaluating in batches of ${fits} (per_device_eval_batch_size ${a.per_device_eval_batch_size} does not fit the wasm heap; the metrics are the same)`);
    }
    return fits;
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function describeBest(state: TrainerState): string {
  return Number.isInteger(state.best_epoch) ? `epoch ${state.best_epoch}` : `step ${state.best_global_step} (epoch ${state.best_epoch})`;
}

interface LoopSettings {
  width: number;
  padTo: number | 'longest';
  evalBatchSize: number;
  validation?: TrainingDataset;
  outputDir?: string;
  paramsKey: string;
}

/** One train() call's loop: the steps, and acting on the control flags the callbacks set. */
class Loop {
  examplesSeen = 0;
  private trainSeconds = 0;
  private stepsThisCall = 0;
  private readonly started = performance.now();

  constructor(
    private readonly trainer: Trainer,
    private readonly optimizer: AdamW,
    private readonly plan: TrainingPlan,
    private readonly settings: LoopSettings,
  ) {}

  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  async run(): Promise<void> {
    const { trainer, plan } = this;
    const a = trainer.args;
    const state = (): TrainerState => trainer.state;
    const control = trainer.control;
    Object.assign(control, initialControl());
    if (state().stopped_early || state().global_step >= plan.totalSteps) return;
    await trainer.fire('on_train_begin', {});
    for (let epoch = state().epochs_completed; epoch < plan.epochs; epoch++) {
      const updates = epochUpdates(trainer.trainDataset.count, {
        seed: a.seed,
        epoch,
        batchSize: a.per_device_train_batch_size,
        accumulation: a.gradient_accumulation_steps,
        lengths: trainer.trainDataset.lengths,
        groupByLength: a.group_by_length,
      });
      // A run resumed mid-epoch skips the updates done and puts dropout where it was.
      const skip = state().steps_in_epoch;
      trainer.model.setDropoutSeed(epochSeed(a.seed, epoch, 1));
      if (skip > 0) trainer.model.skipDropoutDraws(state().dropout_draws);
      else state().epoch_loss_sum = 0;
      await trainer.fire('on_epoch_begin', {});
      for (let u = skip; u < updates.length && state().global_step < plan.totalSteps; u++) {
        trainer.signal?.throwIfAborted();
        await this.step(epoch, u, updates);
        if (control.should_epoch_stop || control.should_training_stop) break;
      }
      // The epoch ends here however the inner loop ended (all updates, max_steps, a callback's stop).
      const s = state();
      const stepsInEpoch = s.steps_in_epoch;
      s.epochs_completed = epoch + 1;
      s.steps_in_epoch = 0;
      s.dropout_draws = 0;
      control.should_epoch_stop = false;
      await trainer.fire('on_epoch_end', {});
      const record = { epoch: epoch + 1, train_loss: stepsInEpoch > 0 ? s.epoch_loss_sum / stepsInEpoch : Number.NaN, metrics: {} as Record<string, number> };
      s.epochs.push(record);
      await this.maybeEvaluateAndSave({ kind: 'epoch', record, byEpoch: true });
      if (control.should_training_stop || s.global_step >= plan.totalSteps) break;
    }
  }

  private async step(epoch: number, u: number, updates: number[][][]): Promise<void> {
    const { trainer, plan, settings } = this;
    const a = trainer.args;
    const s = trainer.state;
    const stepStarted = performance.now();
    const micro: TrainBatch[] = updates[u]!.map((rows) => {
      const b = trainer.trainDataset.batch(rows, settings.padTo);
      const shape: [number, number] = [rows.length, b.length];
      return { inputIds: { data: b.inputIds, shape }, attentionMask: { data: b.attentionMask, shape }, labels: b.labels };
    });
    const lr = learningRateAt('linear', a.learning_rate, s.global_step, a.warmup_steps, plan.totalSteps);
    const step = s.global_step + 1;
    const result = stepOrExplain(() => trainStep(trainer.model, this.optimizer, micro, { lr, maxGradNorm: a.max_grad_norm }), {
      step,
      batch: a.per_device_train_batch_size,
      accumulation: a.gradient_accumulation_steps,
      width: settings.width,
    });
    if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
      const what = !Number.isFinite(result.loss) ? `the loss became ${result.loss}` : `the gradient norm became ${result.gradNorm}`;
      throw new FndTrainingError(
        `train: ${what} at step ${step} (epoch ${epoch + 1}, learning rate ${formatNumber(lr)}); ` +
          `training diverged: lower learning_rate (now ${a.learning_rate}), add warmup_steps, or check the model weights and inputs`,
      );
    }
    s.global_step = step;
    s.steps_in_epoch = u + 1;
    s.epoch = epoch + (u + 1) / updates.length;
    s.dropout_draws = trainer.model.dropoutDraws;
    s.epoch_loss_sum += result.loss;
    accumulateStep(s.loss_log, result.loss);
    this.stepsThisCall++;
    this.examplesSeen += updates[u]!.reduce((n, rows) => n + rows.length, 0);
    this.trainSeconds += (performance.now() - stepStarted) / 1000;
    const perStep = this.trainSeconds / this.stepsThisCall;
    await trainer.fire('on_step_end', {
      speed: {
        epoch: epoch + 1,
        loss: result.loss,
        learningRate: lr,
        examplesPerSecond: this.examplesSeen / Math.max(this.trainSeconds, 1e-9),
        etaSeconds: perStep * (plan.totalSteps - step),
      },
    });
    const control = trainer.control;
    if (control.should_log) {
      control.should_log = false;
      const nextLr = learningRateAt('linear', a.learning_rate, step, a.warmup_steps, plan.totalSteps);
      const entry = takeLogEntry(s.loss_log, { step, epoch: s.epoch, loss: result.loss, nextLearningRate: nextLr, gradNorm: result.gradNorm });
      s.log_history.push(entry);
      await trainer.fire('on_log', { logs: { kind: 'step', entry } });
    }
    // A step that ends the epoch saves and evaluates at the epoch's end instead, when that is the strategy.
    await this.maybeEvaluateAndSave({ kind: 'step', byEpoch: false });
  }

  /** Evaluates and checkpoints when the control says so (transformers' _maybe_log_save_evaluate). */
  private async maybeEvaluateAndSave(at: { kind: 'step'; byEpoch: false } | { kind: 'epoch'; record: { epoch: number; train_loss: number; metrics: Record<string, number> }; byEpoch: true }): Promise<void> {
    const { trainer, settings } = this;
    const a = trainer.args;
    const s = trainer.state;
    const control = trainer.control;
    let isBest = false;
    let metrics: Record<string, number> | undefined;
    if (control.should_evaluate && settings.validation) {
      control.should_evaluate = false;
      metrics = evaluateModel(trainer.model, settings.validation, { batchSize: settings.evalBatchSize, signal: trainer.signal }).metrics;
      // Callbacks (early stopping) see the best before this evaluation, as in transformers.
      await trainer.fire('on_evaluate', { metrics });
      const value = metricValue(metrics, a.metric_for_best_model);
      const greater = a.greater_is_better ?? greaterIsBetterFor(a.metric_for_best_model);
      if (s.best_metric === null || isBetter(value, s.best_metric, greater)) {
        isBest = true;
        s.best_metric = value;
        s.best_global_step = s.global_step;
        s.best_epoch = at.kind === 'epoch' ? at.record.epoch : round4(s.epoch);
      }
      if (at.kind === 'step') s.evaluations.push({ step: s.global_step, epoch: round4(s.epoch), metrics });
    }
    control.should_evaluate = false;
    const logs: TrainerLogs | undefined = at.kind === 'epoch'
      ? { kind: 'epoch', epoch: at.record.epoch, epochs: this.plan.epochs, train_loss: at.record.train_loss, metrics, isBest, stopping: s.stopped_early && metrics !== undefined }
      : metrics
        ? { kind: 'evaluation', step: s.global_step, epoch: round4(s.epoch), metrics, isBest, stopping: s.stopped_early }
        : undefined;
    if (at.kind === 'epoch' && metrics) at.record.metrics = metrics;
    if (logs) await trainer.fire('on_log', { logs });
    if (control.should_save && settings.outputDir) {
      control.should_save = false;
      const name = checkpointName(s, at.byEpoch);
      if (s.best_global_step === s.global_step) s.best_model_checkpoint = name;
      const keep = new Set(s.best_model_checkpoint ? [s.best_model_checkpoint] : []);
      await writeCheckpoint(settings.outputDir, name, trainer.model, this.optimizer, s, settings.paramsKey, keep);
      await trainer.fire('on_save', { checkpoint: join(settings.outputDir, name) });
    }
    control.should_save = false;
  }
}

// What the wasm backend throws when its heap (at most 4 GiB) cannot hold a step.
const OUT_OF_HEAP = /memory access out of bounds|Invalid typed array length|Array buffer allocation failed|Cannot enlarge memory/i;

/**
 * The up-front memory check is an estimate; if a step still runs out of wasm heap, say so in
 * one line with the way out instead of a RangeError from deep inside tfjs.
 */
function stepOrExplain<T>(step: () => T, at: { step: number; batch: number; accumulation: number; width: number }): T {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof Error) || !OUT_OF_HEAP.test(error.message)) throw error;
    const half = Math.max(1, Math.floor(at.batch / 2));
    throw new FndTrainingError(
      `train: step ${at.step} ran out of wasm heap (micro-batch ${at.batch} at length ${at.width}: ${error.message}); ` +
        `use per_device_train_batch_size: ${half} with gradient_accumulation_steps: ${at.accumulation * 2} (the same examples per update), ` +
        'a smaller max_length, or a GPU backend',
    );
  }
}
