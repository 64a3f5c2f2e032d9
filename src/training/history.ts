/** history.json, the train stage's `history` report (format agreed with the evaluate/report helpers). */
import type { StepLogEntry } from './loss-log.js';

export interface EpochRecord {
  epoch: number;
  /** Mean loss of the epoch's optimizer steps. */
  train_loss: number;
  /** Validation metrics at the end of the epoch (eval_strategy "epoch"): accuracy, precision, recall, f1 (weighted, as the notebook), macro averages, loss. Empty otherwise. */
  metrics: Record<string, number>;
}

/** One evaluation with eval_strategy "steps". */
export interface EvaluationRecord {
  step: number;
  /** Fractional epoch at that step. */
  epoch: number;
  metrics: Record<string, number>;
}

export interface TrainingHistoryFile {
  steps: StepLogEntry[];
  epochs: EpochRecord[];
  /** Evaluations every eval_steps (eval_strategy "steps" only; with "epoch" they are in `epochs`). */
  evaluations?: EvaluationRecord[];
  /** The best evaluation: its epoch (fractional for a step evaluation) and, with step evaluations, its optimizer step. */
  best: { epoch: number; step?: number; metric: string; value: number } | null;
  stopped_early: boolean;
  total_steps: number;
}
