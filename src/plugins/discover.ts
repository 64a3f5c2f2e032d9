import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FndError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';

/** Where fnd's own stages live: `<package>/stages/` from the sources, `<package>/dist/stages/` when built. */
export const builtinStagesDir = resolve(fileURLToPath(new URL('../../stages', import.meta.url)));
/** The TypeScript sources of the built-in stages (the same as builtinStagesDir when running from source). */
const builtinSourcesDir = join(packageRoot, 'stages');

export interface StageLocation {
  name: string;
  dir: string;
  entry: string;
  origin: 'builtin' | 'project';
}

const ENTRY_NAMES = ['index.ts', 'index.mts', 'index.js', 'index.mjs'];

function scan(stagesDir: string, origin: StageLocation['origin']): StageLocation[] {
  if (!existsSync(stagesDir)) return [];
  const found: StageLocation[] = [];
  for (const name of readdirSync(stagesDir).sort()) {
    const dir = join(stagesDir, name);
    if (name.startsWith('.') || !statSync(dir).isDirectory()) continue;
    const entryName = ENTRY_NAMES.find((candidate) => existsSync(join(dir, candidate)));
    if (entryName) found.push({ name, dir, entry: join(dir, entryName), origin });
  }
  return found;
}

/**
 * Every stage plugin visible from a project: the built-in ones and `<project>/stages/<name>/index.ts`.
 * The folder name is the plugin name, so a spec can be validated by loading only the plugins it uses.
 * When the project is fnd itself, its stages/ folder *is* the built-in folder.
 */
export function discoverStages(projectDir: string): Map<string, StageLocation> {
  const byName = new Map<string, StageLocation>();
  for (const location of scan(builtinStagesDir, 'builtin')) byName.set(location.name, location);
  const projectStages = resolve(projectDir, 'stages');
  if (projectStages === builtinStagesDir || projectStages === builtinSourcesDir) return byName;
  for (const location of scan(projectStages, 'project')) {
    const clash = byName.get(location.name);
    if (clash) {
      throw new FndError(
        `stage plugin "${location.name}" in ${location.dir} has the name of a built-in stage (${clash.dir}); rename its folder`,
        { exitCode: 2 },
      );
    }
    byName.set(location.name, location);
  }
  return byName;
}
