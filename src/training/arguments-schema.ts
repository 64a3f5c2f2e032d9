/**
 * The TrainingArguments as a JSON Schema: the train stage's params schema, and what the Trainer
 * checks a program's arguments against (resolveTrainingArguments). Hugging Face names, meanings
 * and defaults, so a notebook's arguments carry over as they are.
 */
import type { JsonSchema } from '../sdk/index.js';
import { TRAIN_DEFAULTS as D } from './params.js';

const strategy = (what: string, def: string, every: string) => ({
  enum: ['epoch', 'steps', 'no'],
  default: def,
  description: `When to ${what}: "epoch" (at the end of each epoch), "steps" (every ${every} optimizer steps) or "no".`,
});

export const TRAINING_ARGUMENTS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    num_train_epochs: { type: 'number', exclusiveMinimum: 0, default: D.num_train_epochs, description: 'Epochs to train (may be fractional, as in transformers).' },
    per_device_train_batch_size: { type: 'integer', minimum: 1, default: D.per_device_train_batch_size, description: 'Examples per micro-batch (one forward/backward pass).' },
    per_device_eval_batch_size: { type: 'integer', minimum: 1, default: D.per_device_eval_batch_size, description: 'Examples per evaluation batch.' },
    learning_rate: { type: 'number', exclusiveMinimum: 0, default: D.learning_rate, description: 'Peak AdamW learning rate (betas 0.9/0.999, eps 1e-8).' },
    warmup_steps: { type: 'integer', minimum: 0, default: D.warmup_steps, description: 'Linear warmup from 0 over this many optimizer steps (the first step uses lr 0 when > 0), then linear decay to 0.' },
    weight_decay: { type: 'number', minimum: 0, default: D.weight_decay, description: 'Decoupled AdamW weight decay; biases and LayerNorm weights get none.' },
    max_grad_norm: { type: 'number', minimum: 0, default: D.max_grad_norm, description: 'Clip the global gradient norm to this; 0 turns clipping off.' },
    seed: { type: 'integer', description: "Seed for the shuffling and dropout; defaults to the spec's seed." },
    eval_strategy: strategy('evaluate on the validation split', D.eval_strategy, 'eval_steps'),
    eval_steps: { type: ['integer', 'null'], minimum: 1, default: D.eval_steps, description: 'With eval_strategy "steps": evaluate every N optimizer steps; null: logging_steps (as transformers).' },
    save_strategy: strategy('checkpoint (model, optimizer, progress) so an interrupted run resumes', D.save_strategy, 'save_steps'),
    save_steps: { type: 'integer', minimum: 1, default: D.save_steps, description: 'With save_strategy "steps": checkpoint every N optimizer steps (and at the last step).' },
    load_best_model_at_end: { type: 'boolean', default: D.load_best_model_at_end, description: 'Output the checkpoint with the best metric_for_best_model instead of the last one (needs eval_strategy and save_strategy both "epoch", or both "steps" with save_steps a multiple of eval_steps).' },
    metric_for_best_model: { type: 'string', minLength: 1, default: D.metric_for_best_model, description: 'Validation metric that picks the best evaluation (epoch or step) and drives early stopping: loss, accuracy, f1, precision, recall (weighted), f1_macro, ... ("eval_" prefix optional).' },
    greater_is_better: { type: ['boolean', 'null'], default: D.greater_is_better, description: 'null: derived as transformers does (false for metrics ending in "loss", true otherwise).' },
    early_stopping_patience: { type: ['integer', 'null'], minimum: 1, default: D.early_stopping_patience, description: 'Stop after this many evaluations without improvement (EarlyStoppingCallback), counted in evaluations whatever eval_strategy is; null turns it off.' },
    early_stopping_threshold: { type: 'number', minimum: 0, default: D.early_stopping_threshold, description: 'How much better a metric must be to count as an improvement.' },
    logging_steps: { type: 'integer', minimum: 0, default: D.logging_steps, description: 'Log the mean loss since the last log, lr and grad norm every N optimizer steps (0: never).' },
    logging_first_step: { type: 'boolean', default: D.logging_first_step, description: 'Also log the first step.' },
    gradient_accumulation_steps: { type: 'integer', minimum: 1, default: D.gradient_accumulation_steps, description: 'Micro-batches per optimizer update: batch 32 = per_device_train_batch_size 8 × 4, in a quarter of the memory.' },
    group_by_length: { type: 'boolean', default: D.group_by_length, description: 'Batch rows of similar length and pad each batch to its longest row (dynamic padding): much faster when texts are shorter than max_length. Off keeps the notebook\'s fixed-width batches.' },
    max_steps: { type: 'integer', default: D.max_steps, description: 'If > 0, the total number of optimizer steps (overrides num_train_epochs).' },
  },
};
