/**
 * What `fnd predict MODEL` accepts: a saved model folder, a run folder (its model/), or a run
 * reference (`latest`, an id or a unique prefix) looked up in the project's runs/.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findProjectDir } from '../project/paths.js';
import { resolveRun } from '../runs/store.js';
import { FndError } from '../util/errors.js';

export interface ModelRefOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || ref.startsWith('.');
}

function checkModelFolder(dir: string, given: string): string {
  if (!statSync(dir).isDirectory()) throw new FndError(`model "${given}" (${dir}) is a file; give the saved model folder (with config.json)`, { exitCode: 2 });
  if (existsSync(join(dir, 'config.json'))) return dir;
  if (existsSync(join(dir, 'run.json'))) {
    const model = join(dir, 'model');
    if (existsSync(join(model, 'config.json'))) return model;
    throw new FndError(`run folder ${dir} has no model/ (its pipeline has no save stage, or the run did not reach it)`, { exitCode: 2 });
  }
  throw new FndError(`${dir} is not a model folder: it has no config.json (save one with the save stage, e.g. runs/<id>/model)`, { exitCode: 2 });
}

/** The absolute path of the model folder MODEL names; every failure is one FndError. */
export async function resolveModelRef(ref: string, options: ModelRefOptions): Promise<string> {
  if (ref.trim() === '') throw new FndError('MODEL is empty: give a saved model folder (runs/<id>/model) or a run id', { exitCode: 2 });
  const local = resolve(options.cwd, ref);
  if (existsSync(local)) return checkModelFolder(local, ref);
  if (looksLikePath(ref)) throw new FndError(`model folder not found: ${local}`, { exitCode: 2 });
  const runsDir = resolve(options.env.FND_RUNS_DIR ?? join(findProjectDir(options.cwd), 'runs'));
  let run;
  try {
    run = await resolveRun(runsDir, ref, { cwd: options.cwd });
  } catch (error) {
    if (error instanceof FndError) {
      throw new FndError(`model "${ref}" is neither a folder nor a run: ${error.message}`, { exitCode: 2 });
    }
    throw error;
  }
  return checkModelFolder(run.dir, ref);
}
