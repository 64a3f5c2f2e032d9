/**
 * Trainer callbacks, shaped like Hugging Face's (trainer_callback.py): each hook gets the
 * arguments, the state and the control; flow callbacks set control flags, and the Trainer acts
 * on them (log, evaluate, save, stop). The built-in ones implement fnd's behaviour:
 *
 *   DefaultFlowCallback    when to log, evaluate and save (logging_steps, eval/save strategy and steps) and when to stop
 *   EarlyStoppingCallback  stops after `patience` evaluations without improvement
 *   LoggingCallback        the log lines and the progress line
 *
 * Hooks may be async; the Trainer awaits them in order.
 */
import type { ProgressUpdate, StageLogger } from '../sdk/index.js';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import { greaterIsBetterFor, isImprovement, metricValue, normalizeMetricName } from './best.js';
import { shouldLog, type StepLogEntry } from './loss-log.js';
import { evalInterval, type TrainingArguments } from './params.js';
import { progressMessage } from './progress.js';
import { formatNumber } from '../format/number.js';
import type { TrainerControl, TrainerState } from './state.js';

/** What a hook is told besides (args, state, control). */
export interface CallbackEvent {
  model: BertForSequenceClassification;
  /** on_log: a logged step (kind "step"), or an epoch's or evaluation's summary. */
  logs?: TrainerLogs;
  /** on_evaluate: the validation metrics (loss, accuracy, f1, ...). */
  metrics?: Record<string, number>;
  /** on_save: the checkpoint folder just written. */
  checkpoint?: string;
  /** on_step_end: speed figures for progress displays. */
  speed?: { epoch: number; examplesPerSecond: number; etaSeconds: number; learningRate: number; loss: number };
}

export type TrainerLogs =
  | { kind: 'step'; entry: StepLogEntry }
  | { kind: 'epoch'; epoch: number; epochs: number; train_loss: number; metrics?: Record<string, number>; isBest: boolean; stopping: boolean }
  | { kind: 'evaluation'; step: number; epoch: number; metrics: Record<string, number>; isBest: boolean; stopping: boolean };

export type CallbackHook = (args: TrainingArguments, state: TrainerState, control: TrainerControl, event: CallbackEvent) => void | Promise<void>;

export interface TrainerCallback {
  on_train_begin?: CallbackHook;
  on_epoch_begin?: CallbackHook;
  on_step_end?: CallbackHook;
  on_log?: CallbackHook;
  on_evaluate?: CallbackHook;
  on_save?: CallbackHook;
  on_epoch_end?: CallbackHook;
  on_train_end?: CallbackHook;
}

/** transformers' DefaultFlowCallback: log, evaluate and save at the intervals the arguments ask for; stop at max_steps. */
export class DefaultFlowCallback implements TrainerCallback {
  on_step_end(args: TrainingArguments, state: TrainerState, control: TrainerControl): void {
    if (shouldLog(state.global_step, { loggingSteps: args.logging_steps, loggingFirstStep: args.logging_first_step })) control.should_log = true;
    if (args.eval_strategy === 'steps' && state.global_step % evalInterval(args) === 0) control.should_evaluate = true;
    if (args.save_strategy === 'steps' && state.global_step % args.save_steps === 0) control.should_save = true;
    if (state.global_step >= state.max_steps) {
      control.should_training_stop = true;
      // transformers saves at the last step whatever the interval, so the final state is on disk.
      if (args.save_strategy === 'steps') control.should_save = true;
    }
  }

  on_epoch_end(args: TrainingArguments, _state: TrainerState, control: TrainerControl): void {
    if (args.eval_strategy === 'epoch') control.should_evaluate = true;
    if (args.save_strategy === 'epoch') control.should_save = true;
  }
}

/**
 * transformers' EarlyStoppingCallback: after each evaluation, compares metric_for_best_model with
 * the best so far (before this evaluation); `patience` evaluations in a row without an
 * improvement larger than `threshold` stop training. Counted in evaluations, whether they come
 * every epoch or every eval_steps. The counter lives in the state, so it survives a resume.
 */
export class EarlyStoppingCallback implements TrainerCallback {
  readonly patience: number;
  readonly threshold: number;

  constructor(options: { patience: number; threshold?: number }) {
    this.patience = options.patience;
    this.threshold = options.threshold ?? 0;
  }

  on_evaluate(args: TrainingArguments, state: TrainerState, control: TrainerControl, event: CallbackEvent): void {
    const value = metricValue(event.metrics ?? {}, args.metric_for_best_model);
    const greater = args.greater_is_better ?? greaterIsBetterFor(args.metric_for_best_model);
    if (isImprovement(value, state.best_metric, greater, this.threshold)) state.early_stopping_patience_counter = 0;
    else state.early_stopping_patience_counter += 1;
    if (state.early_stopping_patience_counter >= this.patience) {
      control.should_training_stop = true;
      state.stopped_early = true;
    }
  }
}

/** The Trainer's log lines (through a stage logger or any {info, warn, debug}) and the live progress line. */
export class LoggingCallback implements TrainerCallback {
  constructor(
    private readonly log: StageLogger,
    private readonly progress: (update: ProgressUpdate) => void,
  ) {}

  on_step_end(_args: TrainingArguments, state: TrainerState, _control: TrainerControl, event: CallbackEvent): void {
    if (!event.speed) return;
    this.progress({
      current: state.global_step,
      total: state.max_steps,
      unit: 'steps',
      message: progressMessage({
        epoch: event.speed.epoch,
        epochs: state.num_train_epochs,
        loss: event.speed.loss,
        lr: event.speed.learningRate,
        examplesPerSecond: event.speed.examplesPerSecond,
        etaSeconds: event.speed.etaSeconds,
      }),
    });
  }

  on_log(args: TrainingArguments, state: TrainerState, _control: TrainerControl, event: CallbackEvent): void {
    const logs = event.logs;
    if (!logs) return;
    const metric = normalizeMetricName(args.metric_for_best_model);
    const stopping = `; stopping early: no ${metric} improvement in ${state.early_stopping_patience_counter} evaluations`;
    const scores = (m: Record<string, number>) => `eval_loss ${m.loss!.toFixed(4)} accuracy ${m.accuracy!.toFixed(4)} f1 ${m.f1!.toFixed(4)}`;
    if (logs.kind === 'step') {
      const e = logs.entry;
      this.log.info(`step ${e.step}: loss ${e.loss.toFixed(4)} lr ${formatNumber(e.learning_rate)} grad_norm ${e.grad_norm.toFixed(4)} epoch ${e.epoch}`);
    } else if (logs.kind === 'epoch') {
      this.log.info(
        `epoch ${logs.epoch}/${logs.epochs}: train_loss ${logs.train_loss.toFixed(4)}` +
          (logs.metrics ? ` ${scores(logs.metrics)}${logs.isBest ? ` (best ${metric} so far)` : ''}${logs.stopping ? stopping : ''}` : ''),
      );
    } else {
      this.log.info(
        `step ${logs.step} (epoch ${logs.epoch}): ${scores(logs.metrics)}${logs.isBest ? ` (best ${metric} so far)` : ''}${logs.stopping ? stopping : ''}`,
      );
    }
  }
}
