/**
 * The static pass over a validated pipeline: each stage plugin's `inspect` sees its params and
 * what its inputs will be (facts their producers stated), in topological order, so a mismatch
 * between stages (tokens longer than the model's positions) stops `validate`, `status` and `run`
 * before anything runs, located at the stage that finds it.
 */
import { isAbsolute, resolve } from 'node:path';
import type { InputFacts, StaticFacts } from '../sdk/index.js';
import { formatPath } from '../spec/path.js';
import { FndError, FndErrors } from '../util/errors.js';
import type { LoadedSpec } from '../spec/types.js';
import type { ValidatedPipeline } from '../spec/validate.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { ProjectPaths } from '../project/paths.js';

/** What inspecting needs of a prepared pipeline (prepare.ts calls this before it has a spec key). */
export interface InspectedPipeline {
  loaded: LoadedSpec;
  pipeline: ValidatedPipeline;
  registry: PluginRegistry;
  paths: ProjectPaths;
}

export async function inspectPipeline(prepared: InspectedPipeline): Promise<void> {
  const { pipeline, registry, loaded, paths } = prepared;
  const facts = new Map<string, Record<string, StaticFacts>>();
  const errors: FndError[] = [];
  const resolvePath = (path: string) => (isAbsolute(path) ? path : resolve(paths.specDir, path));
  for (const stage of pipeline.stages) {
    const definition = registry.loadedPlugin(stage.uses).definition;
    if (!definition.inspect) continue;
    const inputs: Record<string, InputFacts | undefined> = {};
    for (const [port, ref] of Object.entries(stage.inputs)) {
      const known = facts.get(ref.stage)?.[ref.port];
      inputs[port] = known ? { from: ref.stage, facts: known } : undefined;
    }
    const inspection = await definition.inspect(stage.params, inputs, { resolvePath });
    facts.set(stage.id, inspection.outputs ?? {});
    const path = ['stages', stage.id];
    for (const problem of inspection.problems ?? []) {
      errors.push(new FndError(`${formatPath(loaded.writtenPath(path))}: ${problem}`, { location: loaded.locate(path), exitCode: 2 }));
    }
  }
  if (errors.length > 0) throw new FndErrors([...new Map(errors.map((e) => [e.message, e])).values()], 2);
}
