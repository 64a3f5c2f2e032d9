import { relative } from 'node:path';
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
  const specKey = relative(paths.projectDir, loaded.file).split('\\').join('/');
  return { loaded, pipeline, registry, paths, specKey };
}
