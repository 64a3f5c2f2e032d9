/**
 * `runs/<sweep-id>/sweep.json`: the variants of a sweep and the run each produced. A sweep's id
 * is a function of the spec, its --set overrides and the matrix, so running the same sweep
 * again finds the same folder and resumes it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../cache/atomic.js';
import { canonicalJson, sha256 } from '../hash/canonical.js';
import { displayDir } from '../runs/store.js';
import { sanitizeSpecName } from '../runs/id.js';
import { FndError } from '../util/errors.js';

export const SWEEP_FILE = 'sweep.json';

export type VariantStatus = 'pending' | 'running' | 'completed' | 'failed' | 'interrupted';

export interface SweepVariantRecord {
  name: string;
  sets: string[];
  runId?: string;
  status: VariantStatus;
}

export interface SweepRecord {
  id: string;
  /** The spec path as given. */
  spec: string;
  specName: string;
  /** --set overrides applied to every variant. */
  sets: string[];
  matrix: Record<string, unknown[]>;
  variants: SweepVariantRecord[];
  createdAt: string;
  updatedAt: string;
  status: 'running' | 'completed' | 'failed' | 'interrupted';
  /** The metric the summary was sorted by, as a full path. */
  sort?: string;
}

export function sweepId(specName: string, identity: { specKey: string; sets: readonly string[]; matrix: Record<string, unknown[]> }): string {
  return `sweep-${sanitizeSpecName(specName)}-${sha256(canonicalJson(identity)).slice(0, 8)}`;
}

export async function readSweepFile(dir: string): Promise<SweepRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, SWEEP_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FndError(`cannot read ${join(dir, SWEEP_FILE)}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const value = JSON.parse(text) as SweepRecord;
    if (typeof value.id !== 'string' || !Array.isArray(value.variants)) throw new Error('no "id" or "variants"');
    return value;
  } catch (error) {
    throw new FndError(`${join(dir, SWEEP_FILE)} is not a sweep record (${(error as Error).message})`, { cause: error });
  }
}

export async function writeSweepFile(dir: string, record: SweepRecord): Promise<void> {
  await writeFileAtomic(join(dir, SWEEP_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** Sweep folder names under runs/ (folders holding a sweep.json). */
export async function listSweeps(runsDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(runsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names) {
    try {
      await readFile(join(runsDir, name, SWEEP_FILE));
      found.push(name);
    } catch {
      // not a sweep
    }
  }
  return found.sort();
}

/** A sweep by full id or unique prefix; undefined when nothing matches (the caller may try runs next). */
export async function findSweep(runsDir: string, ref: string, cwd?: string): Promise<{ dir: string; record: SweepRecord } | undefined> {
  const name = ref.trim().replace(/[\\/]+$/, '').split(/[\\/]/).at(-1) ?? '';
  const sweeps = await listSweeps(runsDir);
  const matches = sweeps.includes(name) ? [name] : sweeps.filter((id) => id.startsWith(name));
  if (matches.length === 0 || name === '') return undefined;
  if (matches.length > 1) {
    throw new FndError(`sweep prefix "${name}" is ambiguous in ${displayDir(runsDir, cwd)}: it matches ${matches.join(', ')}`, { exitCode: 2 });
  }
  const dir = join(runsDir, matches[0]!);
  const record = await readSweepFile(dir);
  return record ? { dir, record } : undefined;
}

/** As findSweep, but a miss is an error listing the sweeps there are. */
export async function resolveSweep(runsDir: string, ref: string, cwd?: string): Promise<{ dir: string; record: SweepRecord }> {
  const found = await findSweep(runsDir, ref, cwd);
  if (found) return found;
  const sweeps = await listSweeps(runsDir);
  const list = sweeps.length > 0 ? `; sweeps there: ${sweeps.slice(0, 10).join(', ')}` : ' (it has none: `fnd sweep SPEC` records one)';
  throw new FndError(`no sweep matches "${ref}" in ${displayDir(runsDir, cwd)}${list}`, { exitCode: 2 });
}
