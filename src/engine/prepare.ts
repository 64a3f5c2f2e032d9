import { relative } from 'node:path';
import { inspectPipeline } from './inspect.js';
import { loadSpec } from '../spec/load.js';
import type { LoadedSpec } from '../spec/types.js';
import { validatePipeline, type ValidatedPipeline } from '../spec/validate.js';
import { PluginRegistry } from '../plugins/registry.js';
import { projectPaths, type ProjectPaths } from '../project/paths.js';

export interface PreparedPipeline {
  loaded: LoadedSpec;
  pipeline: ValidatedPipeline;
  registry: PluginRegistry;
  paths: ProjectPaths;
  /** Identifies the spec within the project, for "what changed since last time" in `fnd status`. */
  specKey: string;
  /** The --set overrides given, as typed. */
  sets?: string[];
  /** With --set: each stage's params without the overrides, so a decision can name the change just made first. */
  paramsWithoutSets?: Map<string, Record<string, unknown>>;
}

export interface PrepareOptions {
  sets?: string[];
  cacheDir?: string;
  runsDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Spec file → loaded, templated, validated pipeline with its plugins imported. No stage runs. */
export async function preparePipeline(specFile: string, options: PrepareOptions = {}): Promise<PreparedPipeline> {
  const paths = projectPaths(specFile, options);
  const loaded = await loadSpec(specFile, { sets: options.sets });
  const registry = new PluginRegistry(paths.projectDir);
  // Import only the plugins this spec names; unknown names are reported by validation with a suggestion.
  await registry.loadMany(loaded.resolved.stages.map((stage) => stage.uses).filter((name) => registry.location(name)));
  const pipeline = validatePipeline(loaded, registry.catalog());
  await inspectPipeline({ loaded, pipeline, registry, paths });
  const specKey = relative(paths.projectDir, loaded.file).split('\\').join('/');
  const sets = options.sets ?? [];
  return { loaded, pipeline, registry, paths, specKey, sets, paramsWithoutSets: sets.length > 0 ? await paramsWithout(specFile, registry) : undefined };
}

/** The spec's params as written (no --set); undefined when that spec alone does not validate. */
async function paramsWithout(specFile: string, registry: PluginRegistry): Promise<Map<string, Record<string, unknown>> | undefined> {
  try {
    const plain = validatePipeline(await loadSpec(specFile, {}), registry.catalog());
    return new Map(plain.stages.map((stage) => [stage.id, stage.params]));
  } catch {
    return undefined;
  }
}
