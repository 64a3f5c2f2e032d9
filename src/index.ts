/**
 * fnd's programmatic API. The CLI (src/cli) is a thin layer over these functions.
 *
 * A stage plugin that needs only `defineStage` and the SDK types should import `fnd/sdk`, which
 * loads nothing else; this module pulls in the engine, the tokenizer and the metrics.
 */
export * from './sdk/index.js';
export {
  FndError, FndUsageError, FndSpecError, FndConfigError, FndDataError, FndModelError, FndTrainingError, FndBackendError,
  type FndErrorCode,
} from './util/errors.js';

// Pipelines: spec → plan → run.
export { loadSpec, expandMatrix } from './spec/index.js';
export type { LoadedSpec, PipelineSpec, StageSpec } from './spec/index.js';
export { preparePipeline, type PreparedPipeline, type PrepareOptions } from './engine/prepare.js';
export { planPipeline, type StagePlan } from './engine/plan.js';
export { runPipeline, executePipeline, type RunOptions, type RunOutcome } from './engine/run-pipeline.js';
export type { EngineEvent, Reporter } from './engine/events.js';

// Recorded runs.
export { listRuns, resolveRun, loadRun } from './runs/store.js';
export { diffRuns } from './runs/diff.js';
export type { RunRecord, RunMetrics } from './runs/record.js';

// Artifacts, for stage plugins that read or write the built-in kinds.
export { readRows, readTable, readTableInfo, writeTable, type Row, type TableInfo } from './artifacts/table.js';
export { readTokens, writeTokens } from './artifacts/tokens.js';

// Text and metrics.
export { loadTokenizer, BertTokenizer } from './text/tokenizer.js';
export { classificationMetrics, classificationReport, confusionMatrix } from './metrics/classification.js';

// BERT in TensorFlow.js: checkpoints in and out, training math, backends. The backend starts
// itself on first use (loadModel, Trainer.train, evaluate, loadPredictor); initBackend chooses explicitly.
export { loadModel, initModel, BertForSequenceClassification, createAdamW, trainStep, linearScheduleWithWarmup } from './nn/index.js';
export type { BertConfig, BertConfigInput, HfBertConfigJson, LoadOptions } from './nn/index.js';
export { initBackend, ensureBackend, describeBackends, type BackendInfo, type InitBackendOptions } from './nn/backend/index.js';

// Training: the Trainer the train stage runs (Hugging Face's TrainingArguments, TrainerState, callbacks).
export { Trainer, type TrainerOptions, type TrainOutput } from './training/trainer.js';
export { resolveTrainingArguments } from './training/arguments.js';
export { TRAIN_DEFAULTS, type TrainingArguments, type Strategy } from './training/params.js';
export type { TrainerState, TrainerControl } from './training/state.js';
export {
  DefaultFlowCallback, EarlyStoppingCallback, LoggingCallback,
  type TrainerCallback, type CallbackEvent, type CallbackHook, type TrainerLogs,
} from './training/callbacks.js';
export { encodeDataset, datasetFromRows, datasetFromArrays, type TrainingDataset, type DatasetRow, type ClassificationData, type IdMatrix } from './training/dataset.js';
export type { EvaluationResult } from './training/evaluate.js';
export type { TrainingHistoryFile, EpochRecord, EvaluationRecord } from './training/history.js';

// Predictions from a saved model folder (its tokenizer and text preparation included).
export { loadPredictor, type Predictor, type Prediction } from './predict/predictor.js';
