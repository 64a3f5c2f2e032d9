/** The train stage's params: Hugging Face TrainingArguments names and defaults (see stages/train/schema.ts). */

export type Strategy = 'epoch' | 'no';

export interface TrainParams {
  num_train_epochs: number;
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  learning_rate: number;
  warmup_steps: number;
  weight_decay: number;
  max_grad_norm: number;
  seed: number;
  eval_strategy: Strategy;
  save_strategy: Strategy;
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

/** TrainingArguments' defaults (plus EarlyStoppingCallback's), applied by the stage schema. */
export const TRAIN_DEFAULTS: TrainParams = {
  num_train_epochs: 3,
  per_device_train_batch_size: 8,
  per_device_eval_batch_size: 8,
  learning_rate: 5e-5,
  warmup_steps: 0,
  weight_decay: 0,
  max_grad_norm: 1.0,
  seed: 42,
  eval_strategy: 'epoch',
  save_strategy: 'epoch',
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
