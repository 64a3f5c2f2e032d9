/**
 * The Trainer's loss logging: every `logging_steps` optimizer steps (and at step 1 with
 * `logging_first_step`) it logs the mean of the per-step losses since the previous log, the
 * learning rate the next step will use, and the latest gradient norm. `train_loss` at the end is
 * the mean of every step's loss. State is plain data so it survives a resume.
 */

export interface LossLogState {
  /** Sum of step losses since the last log. */
  sinceLastLog: number;
  stepsSinceLastLog: number;
  /** Sum of all step losses (for train_loss). */
  total: number;
  steps: number;
}

export interface StepLogEntry {
  step: number;
  /** Fractional epoch, as the Trainer logs it (e.g. 1.5 = half way through the second epoch). */
  epoch: number;
  loss: number;
  learning_rate: number;
  grad_norm: number;
}

export function initialLossLog(): LossLogState {
  return { sinceLastLog: 0, stepsSinceLastLog: 0, total: 0, steps: 0 };
}

export interface LoggingOptions {
  loggingSteps: number;
  loggingFirstStep: boolean;
}

/** Whether optimizer step `step` (1-based) is logged. */
export function shouldLog(step: number, options: LoggingOptions): boolean {
  if (step === 1 && options.loggingFirstStep) return true;
  return options.loggingSteps > 0 && step % options.loggingSteps === 0;
}

export interface StepFacts {
  step: number;
  epoch: number;
  loss: number;
  nextLearningRate: number;
  gradNorm: number;
}

/** Adds one step's loss to the running sums (in place). */
export function accumulateStep(state: LossLogState, loss: number): void {
  state.sinceLastLog += loss;
  state.stepsSinceLastLog += 1;
  state.total += loss;
  state.steps += 1;
}

/** The log entry for `step`: the mean loss since the previous entry; resets that mean (in place). */
export function takeLogEntry(state: LossLogState, step: StepFacts): StepLogEntry {
  const entry: StepLogEntry = {
    step: step.step,
    epoch: round(step.epoch, 4),
    loss: state.sinceLastLog / state.stepsSinceLastLog,
    learning_rate: step.nextLearningRate,
    grad_norm: step.gradNorm,
  };
  state.sinceLastLog = 0;
  state.stepsSinceLastLog = 0;
  return entry;
}

/** Records one step's loss; returns the log entry when this step is logged. The state is updated in place. */
export function recordStep(state: LossLogState, step: StepFacts, options: LoggingOptions): StepLogEntry | undefined {
  accumulateStep(state, step.loss);
  return shouldLog(step.step, options) ? takeLogEntry(state, step) : undefined;
}

export function meanTrainLoss(state: LossLogState): number {
  return state.steps > 0 ? state.total / state.steps : Number.NaN;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
