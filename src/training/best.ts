/**
 * Best-model tracking and early stopping, as the Hugging Face Trainer and its
 * EarlyStoppingCallback do them:
 * - a value is a new best when there is no best yet or it is strictly better (ties keep the
 *   earlier epoch), "better" being greater unless the metric is a loss (greater_is_better);
 * - the patience counter resets on an improvement larger than `threshold` and otherwise grows by
 *   one per evaluation; training stops once it reaches `patience`.
 * Pure and serialisable, so a resumed run continues with the same counters.
 */
import { StageUserError } from '../sdk/index.js';

export interface BestOptions {
  /** metric_for_best_model, without the `eval_` prefix (e.g. "f1", "loss"). */
  metric: string;
  greaterIsBetter: boolean;
  /** early_stopping_patience; null turns early stopping off. */
  patience: number | null;
  /** early_stopping_threshold (default 0). */
  threshold?: number;
}

export interface BestState {
  bestEpoch: number | null;
  bestValue: number | null;
  /** Evaluations since the last improvement (EarlyStoppingCallback's early_stopping_patience_counter). */
  patienceCounter: number;
}

export interface BestUpdate {
  value: number;
  /** This evaluation is the new best model. */
  isBest: boolean;
  /** Early stopping says: stop after this epoch. */
  shouldStop: boolean;
  state: BestState;
}

/** transformers' rule: metric names ending in "loss" are minimised, all others maximised. */
export function greaterIsBetterFor(metric: string): boolean {
  const name = normalizeMetricName(metric);
  return !(name === 'loss' || name.endsWith('_loss'));
}

/** "eval_f1" and "f1" name the same metric (the Trainer prefixes evaluation metrics with eval_). */
export function normalizeMetricName(metric: string): string {
  return metric.startsWith('eval_') ? metric.slice(5) : metric;
}

export function initialBestState(): BestState {
  return { bestEpoch: null, bestValue: null, patienceCounter: 0 };
}

export function updateBest(state: BestState, epoch: number, metrics: Readonly<Record<string, number>>, options: BestOptions): BestUpdate {
  const name = normalizeMetricName(options.metric);
  const value = metrics[name];
  if (typeof value !== 'number') {
    throw new StageUserError(
      `train: metric_for_best_model "${options.metric}" is not one of the evaluation metrics (${Object.keys(metrics).join(', ')})`,
    );
  }
  const better = (a: number, b: number) => (options.greaterIsBetter ? a > b : a < b);
  const threshold = options.threshold ?? 0;
  const previous = state.bestValue;
  const isBest = previous === null || better(value, previous);
  // EarlyStoppingCallback compares with the best before this evaluation, beyond the threshold.
  const improvedEnough = previous === null || (better(value, previous) && Math.abs(value - previous) > threshold);
  const patienceCounter = improvedEnough ? 0 : state.patienceCounter + 1;
  const next: BestState = {
    bestEpoch: isBest ? epoch : state.bestEpoch,
    bestValue: isBest ? value : previous,
    patienceCounter,
  };
  const shouldStop = options.patience !== null && patienceCounter >= options.patience;
  return { value, isBest, shouldStop, state: next };
}
