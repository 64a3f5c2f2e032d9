/**
 * TrainingArguments: the Trainer's settings with Hugging Face's names, meanings and defaults
 * (plus EarlyStoppingCallback's patience and threshold), so a notebook's arguments carry over.
 * The train stage's params are exactly these (schema: arguments-schema.ts; checking: arguments.ts).
 */
import { FndConfigError } from '../util/errors.js';

/** When to evaluate or checkpoint: at the end of each epoch, every N optimizer steps, or never. */
export type Strategy = 'epoch' | 'steps' | 'no';

export interface TrainingArguments {
  num_train_epochs: number;
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  learning_rate: number;
  warmup_steps: number;
  weight_decay: number;
  max_grad_norm: number;
  seed: number;
  eval_strategy: Strategy;
  /** With eval_strategy "steps": evaluate every this many optimizer steps (null: logging_steps, as transformers). */
  eval_steps: number | null;
  save_strategy: Strategy;
  /** With save_strategy "steps": checkpoint every this many optimizer steps. */
  save_steps: number;
  load_best_model_at_end: boolean;
  metric_for_best_model: string;
  greater_is_better: boolean | null;
  early_stopping_patience: number | null;
  early_stopping_threshold: number;
  logging_steps: number;
  logging_first_step: boolean;
  gradient_accumulation_steps: number;
  group_by_length: boolean;
  max_steps: number;
}

/** The train stage's params are the TrainingArguments. */
export type TrainParams = TrainingArguments;

/** TrainingArguments' defaults (plus EarlyStoppingCallback's), applied by the stage schema and by the Trainer. */
export const TRAIN_DEFAULTS: TrainingArguments = {
  num_train_epochs: 3,
  per_device_train_batch_size: 8,
  per_device_eval_batch_size: 8,
  learning_rate: 5e-5,
  warmup_steps: 0,
  weight_decay: 0,
  max_grad_norm: 1.0,
  seed: 42,
  eval_strategy: 'epoch',
  eval_steps: null,
  save_strategy: 'epoch',
  save_steps: 500,
  load_best_model_at_end: false,
  metric_for_best_model: 'loss',
  greater_is_better: null,
  early_stopping_patience: null,
  early_stopping_threshold: 0,
  logging_steps: 500,
  logging_first_step: false,
  gradient_accumulation_steps: 1,
  group_by_length: false,
  max_steps: -1,
};

/** The evaluation interval in steps (eval_steps, or logging_steps when unset, as transformers). */
export function evalInterval(a: TrainingArguments): number {
  return a.eval_steps ?? a.logging_steps;
}

/** Refuses combinations the Trainer refuses, with the argument names the user wrote. */
export function checkArguments(a: TrainingArguments, hasEvalDataset: boolean): void {
  if (a.eval_strategy === 'steps' && a.eval_steps === null && a.logging_steps === 0) {
    throw new FndConfigError('train: eval_strategy "steps" needs eval_steps (or logging_steps > 0, which it defaults to)');
  }
  if (a.load_best_model_at_end) {
    if (a.eval_strategy === 'no' || a.save_strategy !== a.eval_strategy) {
      throw new FndConfigError(
        `train: load_best_model_at_end needs eval_strategy and save_strategy both "epoch" or both "steps" (they are "${a.eval_strategy}" and "${a.save_strategy}")`,
      );
    }
    if (a.eval_strategy === 'steps' && a.save_steps % evalInterval(a) !== 0) {
      throw new FndConfigError(
        `train: load_best_model_at_end with "steps" needs save_steps to be a multiple of eval_steps (they are ${a.save_steps} and ${evalInterval(a)}), so the best evaluation has a checkpoint`,
      );
    }
  }
  if (a.early_stopping_patience !== null && a.eval_strategy === 'no') {
    throw new FndConfigError('train: early_stopping_patience needs eval_strategy "epoch" or "steps" (patience counts evaluations)');
  }
  if (a.eval_strategy !== 'no' && !hasEvalDataset) {
    throw new FndConfigError(`train: eval_strategy "${a.eval_strategy}" needs the "validation" input wired (the Trainer's evalDataset), or set eval_strategy: "no"`);
  }
}
