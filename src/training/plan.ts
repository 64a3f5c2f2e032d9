/**
 * Step arithmetic of the Hugging Face Trainer: micro-batches per epoch, optimizer updates per
 * epoch, total steps (what the linear schedule decays over) and how many epochs run.
 *
 * One deliberate refinement: when the micro-batches of an epoch do not divide evenly by
 * `gradient_accumulation_steps`, the leftover micro-batches still make one (smaller) update, as
 * transformers >= 4.46 does, and that update is counted in the schedule. Older transformers
 * counted floor(M / A) updates and carried the leftover gradients into the next epoch. Counting
 * them makes `batch B×A, accumulation 1` and `batch B, accumulation A` the same training (same
 * examples per update, same number of updates), which is what the memory advice relies on.
 * With accumulation 1, or when M divides by A, the numbers equal every transformers version's.
 */
import { StageUserError } from '../sdk/index.js';

export interface PlanInput {
  /** Training examples. */
  examples: number;
  /** per_device_train_batch_size (examples per micro-batch). */
  batchSize: number;
  /** gradient_accumulation_steps. */
  accumulation: number;
  /** num_train_epochs (may be fractional, as in transformers). */
  epochs: number;
  /** max_steps; > 0 overrides epochs. */
  maxSteps: number;
}

export interface TrainingPlan {
  /** ceil(examples / batchSize): the train dataloader's length. */
  microBatchesPerEpoch: number;
  /** Optimizer updates in a full epoch: ceil(microBatches / accumulation). */
  updatesPerEpoch: number;
  /** Updates in the whole run (the schedule's num_training_steps). */
  totalSteps: number;
  /** Epochs started (the last may stop early when totalSteps is reached). */
  epochs: number;
  /** Examples per optimizer update (batch × accumulation). */
  effectiveBatchSize: number;
}

export function planTraining(input: PlanInput): TrainingPlan {
  const { examples, batchSize, accumulation, epochs, maxSteps } = input;
  if (!(examples > 0)) throw new StageUserError('train: the training split has no examples');
  const microBatchesPerEpoch = Math.ceil(examples / batchSize);
  const updatesPerEpoch = Math.max(1, Math.ceil(microBatchesPerEpoch / accumulation));
  const totalSteps = maxSteps > 0 ? maxSteps : Math.max(1, Math.ceil(epochs * updatesPerEpoch));
  return {
    microBatchesPerEpoch,
    updatesPerEpoch,
    totalSteps,
    epochs: Math.ceil(totalSteps / updatesPerEpoch),
    effectiveBatchSize: batchSize * accumulation,
  };
}
