/**
 * validatePipeline: checks a loaded spec against its stage plugins — plugin names, params
 * (with defaults applied and the spec's seed given to plugins that take one), input wiring and
 * port kinds, cycles — and returns the stages in topological order. Every problem is collected
 * and thrown together as one FndErrors (exit 2), each located at FILE:LINE:COL.
 */
import type { ValidateFunction } from 'ajv';
import { buildGraph, findCycle, type PipelineGraph } from '../graph/index.js';
import type { JsonSchema, PortSpec } from '../sdk/index.js';
import { FndError, FndErrors } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { formatAjvErrors } from './ajv-errors.js';
import { formatPath, isPlainObject } from './path.js';
import { compileValidator } from './validators.js';
import type { LoadedSpec, PipelineSpec, SpecPath, StageSpec } from './types.js';

export { checkSpecDocument } from './check-document.js';

/** What validation needs to know about a stage plugin (a StageDefinition is one). */
export interface PluginInfo {
  name: string;
  params: JsonSchema;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
}

export interface PluginLookup {
  get(name: string): PluginInfo | undefined;
  names(): string[];
}

export interface ResolvedInput {
  stage: string;
  port: string;
}

export type ValidatedStage = Omit<StageSpec, 'inputs'> & {
  /** Every wired input with its producer's output port made explicit. */
  inputs: Record<string, ResolvedInput>;
  /** `with` after defaults (on a copy), plus the spec's seed when the plugin has a `seed` param the stage did not set. */
  params: Record<string, unknown>;
};

export interface ValidatedPipeline {
  spec: PipelineSpec;
  /** In topological order. */
  stages: ValidatedStage[];
  order: string[];
  graph: PipelineGraph;
}

export function validatePipeline(loaded: LoadedSpec, plugins: PluginLookup): ValidatedPipeline {
  const spec = loaded.resolved;
  const errors: FndError[] = [];
  const fail = (path: SpecPath, message: string, part: 'key' | 'value' = 'key') =>
    errors.push(new FndError(`${formatPath(loaded.writtenPath(path))}: ${message}`, { location: loaded.locate(path, { part }), exitCode: 2 }));

  const stageIds = spec.stages.map((s) => s.id);
  const groups = spec.groups ?? {};
  const pluginOf = new Map<string, PluginInfo>();
  for (const stage of spec.stages) {
    const plugin = plugins.get(stage.uses);
    if (plugin) pluginOf.set(stage.id, plugin);
    else {
      const hint = didYouMean(stage.uses, plugins.names()) || ' (`fnd stages` lists the available plugins)';
      const written = String(loaded.writtenPath(['stages', stage.id])[1]);
      fail(['stages', stage.id, 'uses'], `unknown plugin "${stage.uses}" in stage "${written}"${hint}`, 'value');
    }
  }

  const validators = new Map<string, ValidateFunction>();
  const validated: ValidatedStage[] = [];
  for (const stage of spec.stages) {
    const plugin = pluginOf.get(stage.id);
    const params = plugin ? checkParams(stage, plugin, spec.seed, validators, loaded, errors) : structuredClone(stage.with);
    const inputs = checkInputs(stage, plugin, stageIds, groups, pluginOf, fail);
    validated.push({ ...stage, inputs, params });
  }

  const cycle = findCycle(spec.stages.map((s) => ({ id: s.id, inputs: s.inputs })));
  if (cycle) fail(['stages', cycle[0]!], `cycle: ${cycle.join(' -> ')}`);
  // The parts of a foreach stage share its text: one mistake there is one message, not one per part.
  if (errors.length > 0) throw new FndErrors([...new Map(errors.map((e) => [e.message, e])).values()], 2);

  const graph = buildGraph(validated);
  const byId = new Map(validated.map((s) => [s.id, s]));
  return { spec, stages: graph.order.map((id) => byId.get(id)!), order: graph.order, graph };
}

function checkParams(
  stage: StageSpec,
  plugin: PluginInfo,
  seed: number,
  validators: Map<string, ValidateFunction>,
  loaded: LoadedSpec,
  errors: FndError[],
): Record<string, unknown> {
  const params = structuredClone(stage.with);
  const properties = isPlainObject(plugin.params.properties) ? plugin.params.properties : {};
  // A seed belongs only to the stages whose params take one (init, train), so changing it
  // leaves load/clean/tokenize cached.
  if ('seed' in properties && !('seed' in params)) params.seed = seed;
  let validate = validators.get(plugin.name);
  if (!validate) {
    try {
      validate = compileValidator('params', plugin.params);
    } catch (cause) {
      errors.push(new FndError(`plugin "${plugin.name}" has an invalid params schema: ${(cause as Error).message}`, { exitCode: 2, cause }));
      return params;
    }
    validators.set(plugin.name, validate);
  }
  if (!validate(params)) {
    const withPath = ['stages', stage.id, 'with'];
    errors.push(
      ...formatAjvErrors(validate.errors ?? [], {
        basePath: withPath,
        locate: loaded.locate,
        writtenPath: loaded.writtenPath,
        unknownKey: (parent, key) =>
          parent.length === withPath.length ? `unknown param "${key}" of plugin "${plugin.name}"` : `unknown key "${key}"`,
        missingKey: (parent, key) =>
          parent.length === withPath.length ? `missing required param "${key}" of plugin "${plugin.name}"` : `missing required key "${key}"`,
      }),
    );
  }
  return params;
}

function checkInputs(
  stage: StageSpec,
  plugin: PluginInfo | undefined,
  stageIds: string[],
  groups: Record<string, string[]>,
  pluginOf: Map<string, PluginInfo>,
  fail: (path: SpecPath, message: string, part?: 'key' | 'value') => void,
): Record<string, ResolvedInput> {
  const resolved: Record<string, ResolvedInput> = {};
  const inputsPath = ['stages', stage.id, 'inputs'];
  for (const [name, ref] of Object.entries(stage.inputs)) {
    const path = [...inputsPath, name];
    if (plugin && !(name in plugin.inputs)) {
      const ports = Object.keys(plugin.inputs);
      const hint = didYouMean(name, ports) || ` (it has ${ports.length ? ports.map((p) => `"${p}"`).join(', ') : 'no inputs'})`;
      fail(path, `unknown input "${name}" of plugin "${plugin.name}"${hint}`);
      continue;
    }
    if (!stageIds.includes(ref.stage)) {
      fail(path, unknownStageMessage(name, stage.id, ref, stageIds, groups), 'value');
      continue;
    }
    const producer = pluginOf.get(ref.stage);
    // An unknown producer plugin is reported on its own stage; its ports cannot be checked.
    if (!producer) {
      resolved[name] = { stage: ref.stage, port: ref.port ?? '' };
      continue;
    }
    const outputs = Object.keys(producer.outputs);
    let port = ref.port;
    if (port === undefined) {
      if (outputs.length !== 1) {
        const how = outputs.length === 0 ? 'has no outputs' : `has several outputs (${outputs.join(', ')}); write "${ref.stage}.<output>"`;
        fail(path, `input "${name}" of stage "${stage.id}" is ambiguous: stage "${ref.stage}" ${how}`, 'value');
        continue;
      }
      port = outputs[0]!;
    } else if (!(port in producer.outputs)) {
      fail(path, `stage "${ref.stage}" (plugin "${producer.name}") has no output "${port}"${didYouMean(port, outputs) || ` (outputs: ${outputs.join(', ') || 'none'})`}`, 'value');
      continue;
    }
    const expected = plugin?.inputs[name]?.kind;
    const actual = producer.outputs[port]!.kind;
    if (expected !== undefined && expected !== actual) {
      fail(path, `input "${name}" of stage "${stage.id}" expects ${expected} but "${ref.stage}.${port}" is ${actual}`, 'value');
      continue;
    }
    resolved[name] = { stage: ref.stage, port };
  }
  if (plugin) {
    for (const [name, spec] of Object.entries(plugin.inputs)) {
      if (spec.optional || name in stage.inputs) continue;
      fail(inputsPath, `missing required input "${name}" (${spec.kind}) of plugin "${plugin.name}" in stage "${stage.id}"`);
    }
  }
  return resolved;
}

/** Words for an input that names no stage: a foreach group needs its part, a part may be misspelt. */
function unknownStageMessage(input: string, stageId: string, ref: { stage: string }, stageIds: string[], groups: Record<string, string[]>): string {
  const head = `input "${input}" of stage "${stageId}"`;
  const group = groups[ref.stage];
  if (group) {
    return `${head} refers to "${ref.stage}", which runs once per foreach item: name a part (${group.map((id) => `"${id}"`).join(', ')})`;
  }
  const dot = ref.stage.indexOf('.');
  if (dot > 0 && groups[ref.stage.slice(0, dot)]) {
    const parts = groups[ref.stage.slice(0, dot)]!;
    return `${head} refers to "${ref.stage}", which is not a part of "${ref.stage.slice(0, dot)}"${didYouMean(ref.stage, parts) || ` (its parts: ${parts.join(', ')})`}`;
  }
  return `${head} refers to stage "${ref.stage}", which does not exist${didYouMean(ref.stage, stageIds)}`;
}
