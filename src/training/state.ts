/**
 * TrainerState and TrainerControl, as in Hugging Face's trainer_callback.py: the state is what
 * the loop has done (plain data, saved in every checkpoint, so a resumed run continues with the
 * same counters), the control is what callbacks ask the loop to do next.
 */
import type { EpochRecord, EvaluationRecord, TrainingHistoryFile } from './history.js';
import { initialLossLog, type LossLogState, type StepLogEntry } from './loss-log.js';

export interface TrainerState {
  /** Fractional epochs done (1.5: half way through the second epoch). */
  epoch: number;
  /** Optimizer steps done. */
  global_step: number;
  /** Optimizer steps the run makes in all (the schedule's length). */
  max_steps: number;
  /** Epochs the run starts (the last may be cut short by max_steps). */
  num_train_epochs: number;
  /** Whole epochs completed. */
  epochs_completed: number;
  /** Optimizer steps done in the epoch under way (0 at an epoch boundary). */
  steps_in_epoch: number;
  /** Dropout seeds drawn in the epoch under way: a run resumed mid-epoch draws the same masks. */
  dropout_draws: number;
  /** Sum of the step losses of the epoch under way (its train_loss is the mean). */
  epoch_loss_sum: number;
  loss_log: LossLogState;
  /** The logged steps (every logging_steps). */
  log_history: StepLogEntry[];
  epochs: EpochRecord[];
  evaluations: EvaluationRecord[];
  best_metric: number | null;
  best_global_step: number | null;
  best_epoch: number | null;
  /** The checkpoint folder name holding the best evaluation's weights. */
  best_model_checkpoint: string | null;
  /** Evaluations since the last improvement (EarlyStoppingCallback's counter). */
  early_stopping_patience_counter: number;
  stopped_early: boolean;
}

export interface TrainerControl {
  should_training_stop: boolean;
  should_epoch_stop: boolean;
  should_save: boolean;
  should_evaluate: boolean;
  should_log: boolean;
}

export function initialTrainerState(maxSteps: number, epochs: number): TrainerState {
  return {
    epoch: 0,
    global_step: 0,
    max_steps: maxSteps,
    num_train_epochs: epochs,
    epochs_completed: 0,
    steps_in_epoch: 0,
    dropout_draws: 0,
    epoch_loss_sum: 0,
    loss_log: initialLossLog(),
    log_history: [],
    epochs: [],
    evaluations: [],
    best_metric: null,
    best_global_step: null,
    best_epoch: null,
    best_model_checkpoint: null,
    early_stopping_patience_counter: 0,
    stopped_early: false,
  };
}

export function initialControl(): TrainerControl {
  return { should_training_stop: false, should_epoch_stop: false, should_save: false, should_evaluate: false, should_log: false };
}

/** history.json from the state; with step evaluations it also lists them and names the best one's step. */
export function historyOf(state: TrainerState, metric: string, stepEvaluations: boolean): TrainingHistoryFile {
  const best = state.best_metric !== null && state.best_global_step !== null && state.best_epoch !== null
    ? { epoch: state.best_epoch, ...(stepEvaluations ? { step: state.best_global_step } : {}), metric, value: state.best_metric }
    : null;
  return {
    steps: state.log_history,
    epochs: state.epochs,
    ...(stepEvaluations ? { evaluations: state.evaluations } : {}),
    best,
    stopped_early: state.stopped_early,
    total_steps: state.global_step,
  };
}
