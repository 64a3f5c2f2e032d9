/** history.json, the train stage's `history` report (format agreed with the evaluate/report helpers). */
import type { StepLogEntry } from './loss-log.js';

export interface EpochRecord {
  epoch: number;
  /** Mean loss of the epoch's optimizer steps. */
  train_loss: number;
  /** Validation metrics: accuracy, precision, recall, f1 (weighted, as the notebook), macro averages, loss. Empty when eval_strategy is "no". */
  metrics: Record<string, number>;
}

export interface TrainingHistoryFile {
  steps: StepLogEntry[];
  epochs: EpochRecord[];
  best: { epoch: number; metric: string; value: number } | null;
  stopped_early: boolean;
  total_steps: number;
}
