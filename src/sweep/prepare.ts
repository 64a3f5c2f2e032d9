/**
 * Every variant of a sweep loaded, templated and validated before any stage runs, so a matrix
 * key that is no param, or a value its stage's schema refuses, stops the sweep up front with
 * the matrix key named.
 */
import { relative } from 'node:path';
import type { PreparedPipeline, PrepareOptions } from '../engine/prepare.js';
import { projectPaths, type ProjectPaths } from '../project/paths.js';
import { PluginRegistry } from '../plugins/registry.js';
import { expandMatrix, loadSpec, validatePipeline, type MatrixVariant } from '../spec/index.js';
import { FndError, FndErrors, formatLocation } from '../util/errors.js';
import { inspectPipeline } from '../engine/inspect.js';
import { mergeMatrix, type Matrix } from './matrix-option.js';
import { sweepId } from './record.js';

export interface PreparedVariant extends MatrixVariant {
  prepared: PreparedPipeline;
}

export interface PreparedSweep {
  id: string;
  specFile: string;
  specKey: string;
  specName: string;
  sets: string[];
  matrix: Matrix;
  variants: PreparedVariant[];
  paths: ProjectPaths;
}

export interface SweepPrepareOptions extends PrepareOptions {
  /** `--matrix PATH=V1,V2` options. */
  matrix?: string[];
}

const MAX_ERRORS = 10;

/**
 * Errors of one variant, told in terms of the matrix: the spec layer words overrides as
 * `--set PATH=VALUE`, which for a matrix value is not what the user typed.
 */
function inMatrixTerms(error: FndError, variant: MatrixVariant, cliKeys: Set<string>, specMatrixAt: (key: string) => string): FndError {
  let message = error.message;
  for (const set of variant.sets) {
    const key = set.slice(0, set.indexOf('='));
    const where = cliKeys.has(key) ? `--matrix ${set}` : `${specMatrixAt(key)} (matrix value ${set})`;
    message = message.split(`--set ${set}`).join(where);
  }
  return new FndError(message, { exitCode: 2 });
}

export async function prepareSweep(specFile: string, options: SweepPrepareOptions = {}): Promise<PreparedSweep> {
  const sets = options.sets ?? [];
  const base = await loadSpec(specFile, { sets });
  const { matrix, cliKeys } = mergeMatrix(base.resolved.matrix, options.matrix ?? []);
  const paths = projectPaths(specFile, options);
  const specKey = relative(paths.projectDir, base.file).split('\\').join('/');
  const registry = new PluginRegistry(paths.projectDir);
  const specMatrixAt = (key: string) => formatLocation(base.locate(['matrix', key]));
  const variants: PreparedVariant[] = [];
  const errors = new Map<string, FndError>();
  for (const variant of expandMatrix(matrix)) {
    try {
      const loaded = await loadSpec(specFile, { sets, matrixSets: variant.sets });
      await registry.loadMany(loaded.resolved.stages.map((stage) => stage.uses).filter((name) => registry.location(name)));
      const pipeline = validatePipeline(loaded, registry.catalog());
      await inspectPipeline({ loaded, pipeline, registry, paths });
      variants.push({ ...variant, prepared: { loaded, pipeline, registry, paths, specKey } });
    } catch (error) {
      if (!(error instanceof FndError)) throw error;
      const parts = error instanceof FndErrors ? error.errors : [error];
      for (const part of parts) {
        const translated = inMatrixTerms(part, variant, cliKeys, specMatrixAt);
        if (errors.size < MAX_ERRORS) errors.set(translated.message, translated);
      }
    }
  }
  if (errors.size > 0) {
    const list = [...errors.values()];
    throw list.length === 1 ? list[0]! : new FndErrors(list, 2);
  }
  const specName = base.resolved.name;
  return { id: sweepId(specName, { specKey, sets, matrix }), specFile: base.file, specKey, specName, sets, matrix, variants, paths };
}
