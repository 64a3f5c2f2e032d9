/**
 * fnd's neural-network layer: BERT for sequence classification in TensorFlow.js (tfjs-core ops),
 * Hugging Face checkpoints in and out, and the Trainer's optimisation math.
 */
export { BertForSequenceClassification } from './bert/model.js';
export type { BertOutput, ForwardOptions, LoadReport, SaveOptions } from './bert/model.js';
export type { BertConfig, BertConfigInput, HfBertConfigJson, HiddenAct } from './bert/config.js';
export { makeBertConfig, normalizeBertConfig, DEFAULT_BERT_CONFIG, CONFIG_JSON_NAMES } from './bert/config.js';
export type { BertInputs, IdsInput } from './bert/inputs.js';
export { paramSpecs, usesWeightDecay } from './bert/params.js';
export type { ParamSpec, ParamRole } from './bert/params.js';
export { initModel } from './bert/init.js';
export type { InitOptions } from './bert/init.js';

export { loadModel, resolveModelFolder } from './checkpoint/load.js';
export type { LoadOptions } from './checkpoint/load.js';
export { configFromJson, configToJson, readConfigFile } from './checkpoint/config.js';
export { readSafetensors, writeSafetensors, parseSafetensors } from './checkpoint/safetensors.js';
export { readTorchBin } from './checkpoint/torch-bin.js';
export type { RawTensor, StateDict, DType } from './checkpoint/tensor.js';

export { AdamW, createAdamW } from './train/adamw.js';
export type { AdamWOptions, ParamGroupEntry } from './train/adamw.js';
export { crossEntropy } from './train/loss.js';
export { globalNorm, clipCoefficient } from './train/clip.js';
export { linearScheduleWithWarmup, constantScheduleWithWarmup, learningRateAt } from './train/schedule.js';
export type { ScheduleName } from './train/schedule.js';
export { trainStep, computeGradients } from './train/step.js';
export type { TrainBatch, StepResult, TrainStepOptions, GradientResult } from './train/step.js';
export { saveOptimizerState, loadOptimizerState } from './train/optimizer-state.js';
export { ensureGradients } from './train/gradients.js';
