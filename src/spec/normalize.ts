/** A schema-valid spec document (YAML shape) -> PipelineSpec (stages as a list in file order, inputs parsed). */
import { isPlainObject } from './path.js';
import type { InputRef, PipelineSpec, StageSpec } from './types.js';

export const DEFAULT_SEED = 42;

/**
 * `load.table` -> { stage: 'load', port: 'table' }; `load` -> { stage: 'load' }. When the first
 * segment is a foreach group, the second names its part: `tokenize.train` -> { stage:
 * 'tokenize.train' }, `tokenize.train.tokens` -> { stage: 'tokenize.train', port: 'tokens' }.
 */
export function parseInputRef(text: string, groups: Record<string, string[]> = {}): InputRef {
  const [first, ...rest] = text.split('.') as [string, ...string[]];
  if (Object.hasOwn(groups, first) && rest.length > 0) {
    const [part, ...port] = rest as [string, ...string[]];
    return port.length === 0 ? { stage: `${first}.${part}` } : { stage: `${first}.${part}`, port: port.join('.') };
  }
  return rest.length === 0 ? { stage: first } : { stage: first, port: rest.join('.') };
}

/**
 * `stageOrder` is the order the stage ids appear in the file; ids only an override introduced
 * follow in the order they were added.
 */
export function normalizeSpec(document: Record<string, unknown>, stageOrder: string[], groups: Record<string, string[]> = {}): PipelineSpec {
  const stagesMap = isPlainObject(document.stages) ? document.stages : {};
  const ids = [...stageOrder.filter((id) => id in stagesMap), ...Object.keys(stagesMap).filter((id) => !stageOrder.includes(id))];
  const stages = ids.map((id): StageSpec => {
    const raw = stagesMap[id] as Record<string, unknown>;
    const inputs: Record<string, InputRef> = {};
    for (const [port, ref] of Object.entries(isPlainObject(raw.inputs) ? raw.inputs : {})) inputs[port] = parseInputRef(String(ref), groups);
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
  if (Object.keys(groups).length > 0) spec.groups = groups;
  if (isPlainObject(document.matrix)) spec.matrix = document.matrix as Record<string, unknown[]>;
  return spec;
}
