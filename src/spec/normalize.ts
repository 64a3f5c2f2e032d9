/** A schema-valid spec document (YAML shape) -> PipelineSpec (stages as a list in file order, inputs parsed). */
import { isPlainObject } from './path.js';
import type { InputRef, PipelineSpec, StageSpec } from './types.js';

export const DEFAULT_SEED = 42;

/** `load.table` -> { stage: 'load', port: 'table' }; `load` -> { stage: 'load' }. */
export function parseInputRef(text: string): InputRef {
  const dot = text.indexOf('.');
  return dot < 0 ? { stage: text } : { stage: text.slice(0, dot), port: text.slice(dot + 1) };
}

/**
 * `stageOrder` is the order the stage ids appear in the file; ids only an override introduced
 * follow in the order they were added.
 */
export function normalizeSpec(document: Record<string, unknown>, stageOrder: string[]): PipelineSpec {
  const stagesMap = isPlainObject(document.stages) ? document.stages : {};
  const ids = [...stageOrder.filter((id) => id in stagesMap), ...Object.keys(stagesMap).filter((id) => !stageOrder.includes(id))];
  const stages = ids.map((id): StageSpec => {
    const raw = stagesMap[id] as Record<string, unknown>;
    const inputs: Record<string, InputRef> = {};
    for (const [port, ref] of Object.entries(isPlainObject(raw.inputs) ? raw.inputs : {})) inputs[port] = parseInputRef(String(ref));
    const stage: StageSpec = {
      id,
      uses: String(raw.uses),
      inputs,
      with: isPlainObject(raw.with) ? raw.with : {},
      cache: raw.cache !== false,
    };
    if (raw.device === 'cpu' || raw.device === 'gpu') stage.device = raw.device;
    return stage;
  });
  const spec: PipelineSpec = {
    name: String(document.name),
    seed: typeof document.seed === 'number' ? document.seed : DEFAULT_SEED,
    vars: isPlainObject(document.vars) ? document.vars : {},
    stages,
  };
  if (typeof document.description === 'string') spec.description = document.description;
  if (isPlainObject(document.matrix)) spec.matrix = document.matrix as Record<string, unknown[]>;
  return spec;
}
