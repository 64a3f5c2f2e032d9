/**
 * The training loop with the Hugging Face Trainer's semantics (see ../../shared DESIGN and
 * params.ts): seeded shuffling each epoch, micro-batches with gradient accumulation, linear
 * warmup and decay, AdamW, global-norm clipping, evaluation and a checkpoint each epoch,
 * best-model selection, early stopping, loss logging, and resuming from the last checkpoint.
 * Imports the tensor engine: load it with `await import()` from a stage's `run`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { StageUserError, type ProgressUpdate, type StageLogger } from '../sdk/index.js';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import type { TokensArtifact } from '../artifacts/tokens.js';
import { createAdamW } from '../nn/train/adamw.js';
import { trainStep, type TrainBatch } from '../nn/train/step.js';
import { learningRateAt } from '../nn/train/schedule.js';
import { planTraining, type TrainingPlan } from './plan.js';
import { epochSeed, epochUpdates } from './order.js';
import { greaterIsBetterFor, initialBestState, normalizeMetricName, updateBest } from './best.js';
import { initialLossLog, meanTrainLoss, recordStep } from './loss-log.js';
import { checkTrainingMemory, largestFittingBatch } from './memory.js';
import { activeNativeKernels } from '../nn/backend/index.js';
import { formatNumber } from '../format/number.js';
import { progressMessage } from './progress.js';
import { evaluateModel, requireLabels } from './evaluate.js';
import { readLatestCheckpoint, restoreOptimizer, restoreWeights, writeCheckpoint, checkpointDir, type ResumeState } from './checkpoint.js';
import type { TrainingHistoryFile } from './history.js';
import type { TrainParams } from './params.js';

export interface TrainerOptions {
  model: BertForSequenceClassification;
  train: TokensArtifact;
  validation?: TokensArtifact;
  params: TrainParams;
  /** Checkpoints go here (the stage's ctx.resumeDir). */
  resumeDir: string;
  signal?: AbortSignal;
  log?: StageLogger;
  progress?: (update: ProgressUpdate) => void;
}

export interface TrainerResult {
  history: TrainingHistoryFile;
  plan: TrainingPlan;
  trainLoss: number;
  /** Seconds spent in this call's training steps and evaluations. */
  runtimeSeconds: number;
  /** Training examples processed by this call (a resumed run counts only its own). */
  examplesSeen: number;
  /** The epoch a resumed run started from (0 when it started fresh). */
  resumedFromEpoch: number;
}

const silentLog: StageLogger = { info() {}, warn() {}, debug() {} };

/** Refuses settings the Trainer refuses, with the param names the user wrote. */
export function checkParams(p: TrainParams, hasValidation: boolean): void {
  if (p.load_best_model_at_end && (p.eval_strategy === 'no' || p.save_strategy !== p.eval_strategy)) {
    throw new StageUserError(
      `train: load_best_model_at_end needs eval_strategy and save_strategy both "epoch" (they are "${p.eval_strategy}" and "${p.save_strategy}")`,
    );
  }
  if (p.early_stopping_patience !== null && p.eval_strategy === 'no') {
    throw new StageUserError('train: early_stopping_patience needs eval_strategy "epoch" (patience counts evaluations)');
  }
  if (p.eval_strategy !== 'no' && !hasValidation) {
    throw new StageUserError(`train: eval_strategy "${p.eval_strategy}" needs the "validation" input wired (or set eval_strategy: "no")`);
  }
}

/** The padded width of a training batch: the split's widest row unless batches are padded to their own longest. */
function trainWidth(tokens: TokensArtifact): number {
  if (tokens.header.layout === 'padded') return tokens.header.maxLength;
  let max = 1;
  for (let i = 0; i < tokens.count; i++) max = Math.max(max, tokens.lengths[i]!);
  return max;
}

export async function runTrainer(options: TrainerOptions): Promise<TrainerResult> {
  const { model, train, validation, params: p } = options;
  const log = options.log ?? silentLog;
  const progress = options.progress ?? (() => {});
  checkParams(p, validation !== undefined);
  const evaluating = p.eval_strategy === 'epoch' && validation !== undefined;
  const saving = p.save_strategy === 'epoch';
  requireLabels(train, 'train', model.config.numLabels);
  if (validation && evaluating) requireLabels(validation, 'validation', model.config.numLabels);

  const plan = planTraining({
    examples: train.count,
    batchSize: p.per_device_train_batch_size,
    accumulation: p.gradient_accumulation_steps,
    epochs: p.num_train_epochs,
    maxSteps: p.max_steps,
  });
  const width = trainWidth(train);
  const padTo: number | 'longest' = p.group_by_length ? 'longest' : width;
  let evalBatchSize = p.per_device_eval_batch_size;
  if (tf.getBackend() === 'wasm') {
    const c = model.config;
    const kernels = activeNativeKernels() ? ('native' as const) : ('tfjs' as const);
    const shape = { layers: c.numHiddenLayers, hidden: c.hiddenSize, heads: c.numAttentionHeads, intermediate: c.intermediateSize, parameters: model.numParameters(), kernels };
    const refusal = checkTrainingMemory(shape, { batch: Math.min(p.per_device_train_batch_size, train.count), accumulation: p.gradient_accumulation_steps, seqLen: width });
    if (refusal) throw new StageUserError(refusal);
    if (validation && evaluating) {
      // Evaluation numbers do not depend on the batch size, so a batch too big for the heap is simply cut smaller.
      evalBatchSize = largestFittingBatch(shape, Math.min(evalBatchSize, validation.count), trainWidth(validation));
      if (evalBatchSize < Math.min(p.per_device_eval_batch_size, validation.count)) {
        log.info(`evaluating in batches of ${evalBatchSize} (per_device_eval_batch_size ${p.per_device_eval_batch_size} does not fit the wasm heap; the metrics are the same)`);
      }
    }
  }

  const optimizer = createAdamW(model.params, { lr: p.learning_rate, weightDecay: p.weight_decay });
  const bestOptions = {
    metric: normalizeMetricName(p.metric_for_best_model),
    greaterIsBetter: p.greater_is_better ?? greaterIsBetterFor(p.metric_for_best_model),
    patience: p.early_stopping_patience,
    threshold: p.early_stopping_threshold,
  };
  const paramsKey = JSON.stringify({ ...p, examples: train.count, validation: validation?.count ?? 0 });
  let state: ResumeState = {
    version: 1,
    epoch: 0,
    globalStep: 0,
    lossLog: initialLossLog(),
    best: initialBestState(),
    steps: [],
    epochs: [],
    stoppedEarly: false,
    paramsKey,
  };
  const resumed = saving ? await readLatestCheckpoint(options.resumeDir, paramsKey) : undefined;
  if (resumed) {
    await restoreWeights(model, resumed.dir);
    await restoreOptimizer(optimizer, resumed.dir);
    state = resumed.state;
    log.info(`resuming from the checkpoint of epoch ${state.epoch} (step ${state.globalStep} of ${plan.totalSteps})`);
  }
  const resumedFromEpoch = state.epoch;
  log.info(
    `${train.count} examples, ${plan.epochs} epoch(s) of ${plan.updatesPerEpoch} step(s) ` +
      `(batch ${p.per_device_train_batch_size} × accumulation ${p.gradient_accumulation_steps}), ${plan.totalSteps} steps in all`,
  );

  const started = performance.now();
  let trainSeconds = 0;
  let examplesSeen = 0;
  let stepsThisCall = 0;
  const done = (): boolean => state.globalStep >= plan.totalSteps || state.stoppedEarly;

  for (let epoch = state.epoch; epoch < plan.epochs && !done(); epoch++) {
    model.setDropoutSeed(epochSeed(p.seed, epoch, 1));
    const updates = epochUpdates(train.count, {
      seed: p.seed,
      epoch,
      batchSize: p.per_device_train_batch_size,
      accumulation: p.gradient_accumulation_steps,
      lengths: train.lengths,
      groupByLength: p.group_by_length,
    });
    let epochLoss = 0;
    let epochSteps = 0;
    for (let u = 0; u < updates.length && state.globalStep < plan.totalSteps; u++) {
      options.signal?.throwIfAborted();
      const stepStarted = performance.now();
      const micro: TrainBatch[] = updates[u]!.map((rows) => {
        const b = train.batch(rows, padTo);
        const shape: [number, number] = [rows.length, b.length];
        return { inputIds: { data: b.inputIds, shape }, attentionMask: { data: b.attentionMask, shape }, labels: b.labels };
      });
      const lr = learningRateAt('linear', p.learning_rate, state.globalStep, p.warmup_steps, plan.totalSteps);
      const result = stepOrExplain(() => trainStep(model, optimizer, micro, { lr, maxGradNorm: p.max_grad_norm }), {
        step: state.globalStep + 1,
        batch: p.per_device_train_batch_size,
        accumulation: p.gradient_accumulation_steps,
        width,
      });
      const step = state.globalStep + 1;
      if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
        const what = !Number.isFinite(result.loss) ? `the loss became ${result.loss}` : `the gradient norm became ${result.gradNorm}`;
        throw new StageUserError(
          `train: ${what} at step ${step} (epoch ${epoch + 1}, learning rate ${formatNumber(lr)}); ` +
            `training diverged: lower learning_rate (now ${p.learning_rate}), add warmup_steps, or check the model weights and inputs`,
        );
      }
      state.globalStep = step;
      stepsThisCall++;
      examplesSeen += updates[u]!.reduce((n, rows) => n + rows.length, 0);
      trainSeconds += (performance.now() - stepStarted) / 1000;
      epochLoss += result.loss;
      epochSteps++;
      const nextLr = learningRateAt('linear', p.learning_rate, step, p.warmup_steps, plan.totalSteps);
      const entry = recordStep(
        state.lossLog,
        { step, epoch: epoch + (u + 1) / updates.length, loss: result.loss, nextLearningRate: nextLr, gradNorm: result.gradNorm },
        { loggingSteps: p.logging_steps, loggingFirstStep: p.logging_first_step },
      );
      if (entry) {
        state.steps.push(entry);
        log.info(`step ${step}: loss ${entry.loss.toFixed(4)} lr ${formatNumber(entry.learning_rate)} grad_norm ${entry.grad_norm.toFixed(4)} epoch ${entry.epoch}`);
      }
      const perStep = trainSeconds / stepsThisCall;
      progress({
        current: step,
        total: plan.totalSteps,
        unit: 'steps',
        message: progressMessage({
          epoch: epoch + 1,
          epochs: plan.epochs,
          loss: result.loss,
          lr,
          examplesPerSecond: examplesSeen / Math.max(trainSeconds, 1e-9),
          etaSeconds: perStep * (plan.totalSteps - step),
        }),
      });
    }

    const record = { epoch: epoch + 1, train_loss: epochSteps > 0 ? epochLoss / epochSteps : Number.NaN, metrics: {} as Record<string, number> };
    if (evaluating && validation) {
      const evaluation = evaluateModel(model, validation, { batchSize: evalBatchSize, signal: options.signal });
      record.metrics = evaluation.metrics;
      const update = updateBest(state.best, epoch + 1, evaluation.metrics, bestOptions);
      state.best = update.state;
      if (update.shouldStop) state.stoppedEarly = true;
      const m = evaluation.metrics;
      log.info(
        `epoch ${epoch + 1}/${plan.epochs}: train_loss ${record.train_loss.toFixed(4)} eval_loss ${m.loss!.toFixed(4)} ` +
          `accuracy ${m.accuracy!.toFixed(4)} f1 ${m.f1!.toFixed(4)}${update.isBest ? ` (best ${bestOptions.metric} so far)` : ''}` +
          (update.shouldStop ? `; stopping early: no ${bestOptions.metric} improvement in ${state.best.patienceCounter} evaluations` : ''),
      );
    } else {
      log.info(`epoch ${epoch + 1}/${plan.epochs}: train_loss ${record.train_loss.toFixed(4)}`);
    }
    state.epochs.push(record);
    state.epoch = epoch + 1;
    if (saving) {
      const keep = new Set<number>(state.best.bestEpoch !== null ? [state.best.bestEpoch] : []);
      await writeCheckpoint(options.resumeDir, model, optimizer, state, keep);
    }
  }

  const best = state.best.bestEpoch !== null && state.best.bestValue !== null
    ? { epoch: state.best.bestEpoch, metric: bestOptions.metric, value: state.best.bestValue }
    : null;
  if (p.load_best_model_at_end && best && best.epoch !== state.epoch) {
    await restoreWeights(model, checkpointDir(options.resumeDir, best.epoch));
    log.info(`loaded the best model: epoch ${best.epoch} (${best.metric} ${best.value.toFixed(4)})`);
  }
  return {
    history: { steps: state.steps, epochs: state.epochs, best, stopped_early: state.stoppedEarly, total_steps: state.globalStep },
    plan,
    trainLoss: meanTrainLoss(state.lossLog),
    runtimeSeconds: (performance.now() - started) / 1000,
    examplesSeen,
    resumedFromEpoch,
  };
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
    throw new StageUserError(
      `train: step ${at.step} ran out of wasm heap (micro-batch ${at.batch} at length ${at.width}: ${error.message}); ` +
        `use per_device_train_batch_size: ${half} with gradient_accumulation_steps: ${at.accumulation * 2} (the same examples per update), ` +
        'a smaller max_length, or a GPU backend',
    );
  }
}
