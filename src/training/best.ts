/**
 * Best-model tracking and early stopping, as the Hugging Face Trainer and its
 * EarlyStoppingCallback do them:
 * - a value is a new best when there is no best yet or it is strictly better (ties keep the
 *   earlier epoch), "better" being greater unless the metric is a loss (greater_is_better);
 * - the patience counter resets on an improvement larger than `threshold` and otherwise grows by
 *   one per evaluation; training stops once it reaches `patience`.
 * Pure and serialisable, so a resumed run continues with the same counters.
 */
import { FndConfigError } from '../util/errors.js';

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

/** The value of metric_for_best_model among an evaluation's metrics; a name that is not there is a user error. */
export function metricValue(metrics: Readonly<Record<string, number>>, metric: string): number {
  const value = metrics[normalizeMetricName(metric)];
  if (typeof value !== 'number') {
    throw new FndConfigError(
      `train: metric_for_best_model "${metric}" is not one of the evaluation metrics (${Object.keys(metrics).join(', ')})`,
    );
  }
  return value;
}

/** Strictly better (a tie is not): greater, or smaller for metrics that are minimised. */
export function isBetter(value: number, than: number, greaterIsBetter: boolean): boolean {
  return greaterIsBetter ? value > than : value < than;
}

/** EarlyStoppingCallback's test: better than the best so far by more than `threshold` (or no best yet). */
export function isImprovement(value: number, best: number | null, greaterIsBetter: boolean, threshold: number): boolean {
  return best === null || (isBetter(value, best, greaterIsBetter) && Math.abs(value - best) > threshold);
}

export function updateBest(state: BestState, epoch: number, metrics: Readonly<Record<string, number>>, options: BestOptions): BestUpdate {
  const value = metricValue(metrics, options.metric);
  const previous = state.bestValue;
  const isBest = previous === null || isBetter(value, previous, options.greaterIsBetter);
  // EarlyStoppingCallback compares with the best before this evaluation, beyond the threshold.
  const improvedEnough = isImprovement(value, previous, options.greaterIsBetter, options.threshold ?? 0);
  const patienceCounter = improvedEnough ? 0 : state.patienceCounter + 1;
  const next: BestState = {
    bestEpoch: isBest ? epoch : state.bestEpoch,
    bestValue: isBest ? value : previous,
    patienceCounter,
  };
  const shouldStop = options.patience !== null && patienceCounter >= options.patience;
  return { value, isBest, shouldStop, state: next };
}
