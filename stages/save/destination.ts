/**
 * Where save may copy a model folder, and how it replaces one it saved before.
 *
 * Refused: a folder inside fnd's cache (entries are content-addressed; a file changed there is a
 * corrupt entry), inside a run folder or the runs folder (another run's recorded model), and a
 * folder holding files save did not write. fnd.json lists the files save wrote (`files`), so
 * saving again replaces and removes exactly those and never touches anything else.
 * `overwrite: true` lifts the last two refusals: it replaces files with the same names, and still
 * deletes nothing it did not write.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { StageUserError } from '../../src/sdk/index.js';
import { copyAtomic, naming } from '../../src/util/fs/index.js';

export const FND_JSON = 'fnd.json';

export interface Destination {
  /** Absolute folder. */
  target: string;
  /** The path as the spec gave it, for messages. */
  given: string;
  /** Files save wrote there before (from its fnd.json); empty for a new folder. */
  previous: string[];
}

function isInside(path: string, folder: string): boolean {
  const p = resolve(path);
  const f = resolve(folder);
  return p === f || p.startsWith(f.endsWith(sep) ? f : f + sep);
}

/**
 * An fnd cache root (src/cache/layout.ts): while a stage runs, its store has tmp/ (the attempt's
 * work folder) and locks/ (the lock it holds), and cache/ or resume/.
 */
function isCacheRoot(dir: string): boolean {
  const has = (name: string) => existsSync(join(dir, name));
  return has('tmp') && has('locks') && (has('cache') || has('resume'));
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    out.push(dir);
    if (dirname(dir) === dir) return out;
  }
}

export interface PlaceChecks {
  projectDir: string;
  runsDir?: string;
  overwrite: boolean;
  /** fnd.json's `files` of a folder, or undefined when it has no fnd.json with that list. */
  recordedFiles(dir: string): Promise<string[] | undefined>;
}

export async function checkDestination(target: string, given: string, checks: PlaceChecks): Promise<Destination> {
  const where = `save: path "${given}" (${target})`;
  for (const dir of ancestors(target)) {
    if (isCacheRoot(dir)) {
      throw new StageUserError(`${where} is inside fnd's cache (${dir}); choose a folder outside it`);
    }
  }
  if (!checks.overwrite) {
    const runsDirs = [checks.runsDir ?? join(checks.projectDir, 'runs')];
    const runFolder = ancestors(target).find((dir) => existsSync(join(dir, 'run.json')));
    const runsDir = runsDirs.find((dir) => isInside(target, dir));
    if (runFolder !== undefined || runsDir !== undefined) {
      throw new StageUserError(
        `${where} is inside ${runFolder !== undefined ? `the run folder ${runFolder}` : `the runs folder ${runsDir}`}; ` +
          "the run's own model/ is written there already. Choose another folder (or set overwrite: true)",
      );
    }
  }
  if (!existsSync(target)) return { target, given, previous: [] };
  if (!(await stat(target)).isDirectory()) throw new StageUserError(`${where} is a file; give a folder`);
  const present = (await readdir(target)).sort();
  const recorded = (await checks.recordedFiles(target)) ?? [];
  const ours = new Set([...recorded, FND_JSON]);
  const foreign = present.filter((name) => !ours.has(name) || (name === FND_JSON && recorded.length === 0));
  if (foreign.length > 0 && !checks.overwrite) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
    throw new StageUserError(
      `${where} holds files save did not write (${shown}); refusing to overwrite them: choose another folder, empty it, or set overwrite: true`,
    );
  }
  return { target, given, previous: recorded };
}

/**
 * Copies the files of `from` (a flat folder) into the destination, each through a temp name. The
 * record (fnd.json, written by `writeRecord` with the files it lists) first names the old and the
 * new files, so a copy cut short leaves nothing the next save would take for someone else's;
 * then the files save wrote last time but not this time are removed, and the record names the
 * new files only. Files save did not write stay.
 */
export async function copyToDestination(
  from: string,
  dest: Destination,
  files: string[],
  writeRecord: (dir: string, files: string[]) => Promise<void>,
): Promise<void> {
  await naming(dest.target, () => mkdir(dest.target, { recursive: true }));
  const written = files.filter((file) => file !== FND_JSON);
  await writeRecord(dest.target, [...new Set([...dest.previous, ...written])].sort());
  for (const file of written) {
    await copyAtomic(join(from, file), join(dest.target, file));
  }
  const now = new Set(written);
  for (const old of dest.previous) {
    if (!now.has(old)) await naming(join(dest.target, old), () => rm(join(dest.target, old), { force: true }), 'remove');
  }
  await writeRecord(dest.target, written);
}
