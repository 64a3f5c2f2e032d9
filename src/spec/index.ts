/** The spec layer: load a pipeline YAML with positions, apply overrides and templates, validate against plugins. */
export { loadSpec, loadSpecFromText, type LoadSpecOptions } from './load.js';
export { expandMatrix, formatSetValue, type MatrixVariant } from './matrix.js';
export { parseOverride, type ParsedOverride } from './overrides.js';
export { pipelineSchema } from './pipeline-schema.js';
export {
  validatePipeline,
  checkSpecDocument,
  type PluginInfo,
  type PluginLookup,
  type ResolvedInput,
  type ValidatedPipeline,
  type ValidatedStage,
} from './validate.js';
export type { AppliedOverride, InputRef, LoadedSpec, PipelineSpec, SpecPath, StageSpec } from './types.js';
