import { describe, expect, it } from 'vitest';
import { planTraining } from '../../src/training/plan.js';
import { greaterIsBetterFor, initialBestState, updateBest, type BestOptions, type BestState } from '../../src/training/best.js';
import { initialLossLog, meanTrainLoss, recordStep } from '../../src/training/loss-log.js';
import { epochUpdates, lengthGroupedBatches } from '../../src/training/order.js';
import { checkTrainingMemory, estimateTrainingMemory, largestFittingBatch } from '../../src/training/memory.js';
import { progressMessage } from '../../src/training/progress.js';
import { learningRateAt } from '../../src/nn/train/schedule.js';

/** Runs a scripted metric sequence through the best/early-stopping logic, as the trainer does. */
function script(values: number[], options: BestOptions, metric = options.metric) {
  let state: BestState = initialBestState();
  const seen: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const update = updateBest(state, i + 1, { [metric]: values[i]! }, options);
    state = update.state;
    seen.push(i + 1);
    if (update.shouldStop) return { stoppedAfter: i + 1, state, seen };
  }
  return { stoppedAfter: null, state, seen };
}

describe('best model and early stopping (HF EarlyStoppingCallback semantics)', () => {
  it('f1 [0.5, 0.7, 0.6, 0.65, 0.9] with patience 2 stops after epoch 4 with epoch 2 best', () => {
    const r = script([0.5, 0.7, 0.6, 0.65, 0.9], { metric: 'f1', greaterIsBetter: true, patience: 2 });
    expect(r.stoppedAfter).toBe(4);
    expect(r.state.bestEpoch).toBe(2);
    expect(r.state.bestValue).toBe(0.7);
  });

  it('without patience runs every epoch and keeps the best', () => {
    const r = script([0.5, 0.7, 0.6, 0.65, 0.9], { metric: 'f1', greaterIsBetter: true, patience: null });
    expect(r.stoppedAfter).toBeNull();
    expect(r.state.bestEpoch).toBe(5);
  });

  it('loss is minimised; a tie is no improvement and keeps the earlier epoch', () => {
    const r = script([0.4, 0.3, 0.3, 0.35], { metric: 'loss', greaterIsBetter: false, patience: 2 });
    expect(r.stoppedAfter).toBe(4);
    expect(r.state.bestEpoch).toBe(2);
  });

  it('an improvement resets the patience counter', () => {
    const r = script([0.5, 0.4, 0.6, 0.5, 0.55, 0.58], { metric: 'accuracy', greaterIsBetter: true, patience: 3 });
    expect(r.stoppedAfter).toBe(6);
    expect(r.state.bestEpoch).toBe(3);
  });

  it('a threshold makes small improvements count as none, but they still become the best', () => {
    const r = script([0.5, 0.505, 0.51], { metric: 'f1', greaterIsBetter: true, patience: 2, threshold: 0.01 });
    expect(r.stoppedAfter).toBe(3);
    expect(r.state.bestEpoch).toBe(3);
  });

  it('greater_is_better follows the metric name; eval_ prefixes are accepted', () => {
    expect(greaterIsBetterFor('loss')).toBe(false);
    expect(greaterIsBetterFor('eval_loss')).toBe(false);
    expect(greaterIsBetterFor('f1')).toBe(true);
    expect(greaterIsBetterFor('eval_accuracy')).toBe(true);
    const r = updateBest(initialBestState(), 1, { f1: 0.8 }, { metric: 'eval_f1', greaterIsBetter: true, patience: null });
    expect(r.value).toBe(0.8);
  });

  it('an unknown metric is a user error naming the metrics there are', () => {
    expect(() => updateBest(initialBestState(), 1, { f1: 0.8, loss: 0.2 }, { metric: 'auc', greaterIsBetter: true, patience: null })).toThrow(
      /metric_for_best_model "auc" is not one of the evaluation metrics \(f1, loss\)/,
    );
  });
});

describe('steps per epoch and schedule (vs transformers)', () => {
  it('accumulation 1: ceil(n / batch) updates per epoch, epochs × that in all', () => {
    // transformers: len(dataloader) = ceil(100/8) = 13, max_steps = 3 * 13 = 39.
    expect(planTraining({ examples: 100, batchSize: 8, accumulation: 1, epochs: 3, maxSteps: -1 })).toEqual({
      microBatchesPerEpoch: 13,
      updatesPerEpoch: 13,
      totalSteps: 39,
      epochs: 3,
      effectiveBatchSize: 8,
    });
    // The notebook: 31,428 training rows (70% of ISOT after dedupe), batch 32, 5 epochs.
    expect(planTraining({ examples: 31428, batchSize: 32, accumulation: 1, epochs: 5, maxSteps: -1 }).totalSteps).toBe(5 * 983);
  });

  it('accumulation dividing the micro-batches: M / A updates, as every transformers version', () => {
    // 96 examples, batch 8 → 12 micro-batches; accumulation 4 → 3 updates per epoch.
    const plan = planTraining({ examples: 96, batchSize: 8, accumulation: 4, epochs: 2, maxSteps: -1 });
    expect(plan.updatesPerEpoch).toBe(3);
    expect(plan.totalSteps).toBe(6);
    expect(plan.effectiveBatchSize).toBe(32);
  });

  it('leftover micro-batches make one more update, so batch 8 × 4 equals batch 32', () => {
    const micro = planTraining({ examples: 100, batchSize: 8, accumulation: 4, epochs: 3, maxSteps: -1 });
    const big = planTraining({ examples: 100, batchSize: 32, accumulation: 1, epochs: 3, maxSteps: -1 });
    expect(micro.updatesPerEpoch).toBe(4);
    expect(micro.totalSteps).toBe(big.totalSteps);
    const a = epochUpdates(100, { seed: 7, epoch: 0, batchSize: 8, accumulation: 4 }).map((u) => u.flat());
    const b = epochUpdates(100, { seed: 7, epoch: 0, batchSize: 32, accumulation: 1 }).map((u) => u.flat());
    expect(a).toEqual(b);
  });

  it('fractional epochs and max_steps', () => {
    expect(planTraining({ examples: 100, batchSize: 10, accumulation: 1, epochs: 2.5, maxSteps: -1 })).toMatchObject({ totalSteps: 25, epochs: 3 });
    expect(planTraining({ examples: 100, batchSize: 10, accumulation: 1, epochs: 3, maxSteps: 15 })).toMatchObject({ totalSteps: 15, epochs: 2 });
  });

  it('linear warmup then decay to 0; the first step uses lr 0 when warming up', () => {
    const total = 10;
    const lrs = Array.from({ length: total }, (_, s) => learningRateAt('linear', 1e-3, s, 4, total));
    expect(lrs[0]).toBe(0);
    expect(lrs[2]).toBeCloseTo(5e-4, 12);
    expect(lrs[4]).toBeCloseTo(1e-3, 12);
    expect(lrs[7]).toBeCloseTo(5e-4, 12);
    expect(learningRateAt('linear', 1e-3, total, 4, total)).toBe(0);
    expect(learningRateAt('linear', 1e-3, 0, 0, total)).toBe(1e-3);
  });
});

describe('loss logging', () => {
  it('logs the mean loss since the last log every N steps, and step 1 with logging_first_step', () => {
    const state = initialLossLog();
    const options = { loggingSteps: 3, loggingFirstStep: true };
    const losses = [0.9, 0.6, 0.3, 0.6, 0.3];
    const logged = losses.map((loss, i) => recordStep(state, { step: i + 1, epoch: (i + 1) / 5, loss, nextLearningRate: 1e-4, gradNorm: 0.5 }, options));
    expect(logged.map((e) => e?.step)).toEqual([1, undefined, 3, undefined, undefined]);
    expect(logged[0]!.loss).toBeCloseTo(0.9, 12);
    expect(logged[2]!.loss).toBeCloseTo(0.45, 12); // steps 2 and 3
    expect(meanTrainLoss(state)).toBeCloseTo(2.7 / 5, 12);
  });
});

describe('epoch order', () => {
  it('is a permutation fixed by (seed, epoch), different across epochs and seeds', () => {
    const order = (seed: number, epoch: number) => epochUpdates(20, { seed, epoch, batchSize: 4, accumulation: 1 }).flat(2);
    expect(order(1, 0)).toEqual(order(1, 0));
    expect([...order(1, 0)].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(order(1, 0)).not.toEqual(order(1, 1));
    expect(order(1, 0)).not.toEqual(order(2, 0));
  });

  it('group_by_length batches similar lengths with the longest batch first', () => {
    const lengths = [5, 30, 6, 29, 7, 28, 8, 27];
    const batches = lengthGroupedBatches([0, 1, 2, 3, 4, 5, 6, 7], lengths, 2);
    expect(batches[0]).toEqual([1, 3]);
    expect(batches.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const b of batches) expect(Math.abs(lengths[b[0]!]! - lengths[b[1]!]!)).toBeLessThanOrEqual(1);
  });
});

describe('memory check with the native kernels (measured coefficients)', () => {
  const tinybertNative = { layers: 4, hidden: 312, heads: 12, intermediate: 1200, parameters: 14_350_874, kernels: 'native' as const };
  it('lets batch 8 at length 512 through (it trains in ~1.6 GiB of heap) and refuses the notebook\'s 32 with a fitting micro-batch', () => {
    expect(checkTrainingMemory(tinybertNative, { batch: 8, accumulation: 4, seqLen: 512 })).toBeUndefined();
    const message = checkTrainingMemory(tinybertNative, { batch: 32, accumulation: 1, seqLen: 512 });
    expect(message).toMatch(/per_device_train_batch_size 32 at length 512 needs ~\d+(\.\d)? GiB/);
    expect(message).toContain('Use per_device_train_batch_size: 8 with gradient_accumulation_steps: 4 (the same 32 examples per update)');
    // The tfjs-kernel estimate stays the conservative one.
    expect(estimateTrainingMemory({ ...tinybertNative, kernels: 'tfjs' }, 8, 512).total).toBeGreaterThan(4 * estimateTrainingMemory(tinybertNative, 8, 512).total / 2);
  });
});

describe('memory check for the wasm heap', () => {
  const tinybert = { layers: 4, hidden: 312, heads: 12, intermediate: 1200, parameters: 14_350_874 };

  it('refuses TinyBERT at batch 32 × 512 with a micro-batch + accumulation that fits', () => {
    const message = checkTrainingMemory(tinybert, { batch: 32, accumulation: 1, seqLen: 512 });
    expect(message).toMatch(/^train: per_device_train_batch_size 32 at length 512 needs ~\d+ GiB on the wasm backend, whose heap stops at 4\.0 GiB/);
    const match = /per_device_train_batch_size: (\d+) with gradient_accumulation_steps: (\d+)/.exec(message!);
    expect(match).not.toBeNull();
    const [fit, accumulation] = [Number(match![1]), Number(match![2])];
    expect(fit * accumulation).toBe(32);
    expect(checkTrainingMemory(tinybert, { batch: fit, accumulation, seqLen: 512 })).toBeUndefined();
    expect(checkTrainingMemory(tinybert, { batch: fit * 2, accumulation: accumulation / 2, seqLen: 512 })).toBeDefined();
  });

  it('accepts small batches and short sequences; the estimate grows with S²', () => {
    expect(checkTrainingMemory(tinybert, { batch: 8, accumulation: 1, seqLen: 128 })).toBeUndefined();
    const a = estimateTrainingMemory(tinybert, 1, 256).attention;
    const b = estimateTrainingMemory(tinybert, 1, 512).attention;
    expect(b / a).toBeCloseTo(4, 10);
  });

  it('says so when not even one example fits', () => {
    const huge = { layers: 24, hidden: 1024, heads: 16, intermediate: 4096, parameters: 335_000_000 };
    expect(checkTrainingMemory(huge, { batch: 8, accumulation: 1, seqLen: 512 })).toMatch(/even a micro-batch of 1 does not fit/);
  });
});

describe('progress line', () => {
  it('formats epoch, loss, lr, speed and ETA', () => {
    expect(progressMessage({ epoch: 2, epochs: 5, loss: 0.23149, lr: 4.9e-5, examplesPerSecond: 12.34, etaSeconds: 190 })).toBe(
      'epoch 2/5 loss 0.231 lr 4.9e-05 12.3 ex/s ETA 3 min 10 s',
    );
    expect(progressMessage({ epoch: 1, epochs: 1, loss: 1, lr: 0, examplesPerSecond: 150, etaSeconds: 7300 })).toBe('epoch 1/1 loss 1.000 lr 0 150 ex/s ETA 2 h 01 min');
  });
});

describe('evaluation batch that fits', () => {
  it('cuts a too-large evaluation batch to one that fits', () => {
    const tinybert = { layers: 4, hidden: 312, heads: 12, intermediate: 1200, parameters: 14_350_874 };
    const b = largestFittingBatch(tinybert, 64, 512);
    expect(b).toBeGreaterThanOrEqual(1);
    expect(b).toBeLessThan(64);
    expect(checkTrainingMemory(tinybert, { batch: b, accumulation: 1, seqLen: 512 })).toBeUndefined();
    expect(largestFittingBatch(tinybert, 64, 32)).toBe(64);
  });
});
