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

// BERT in TensorFlow.js: checkpoints in and out, training math, backends.
export { loadModel, initModel, BertForSequenceClassification, fineTune, createAdamW, trainStep, linearScheduleWithWarmup } from './nn/index.js';
export { initBackend, describeBackends } from './nn/backend/index.js';
