/**
 * Reading recorded runs back: listing `runs/`, resolving what a user typed (`latest`, a prefix,
 * a path) to one run, and loading its metrics. Read-only; the engine writes through record.ts.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import { FndError } from '../util/errors.js';
import { METRICS_FILE, RUN_FILE, type RunMetrics, type RunRecord } from './record.js';
import { settleRun } from './liveness.js';

export interface RunListing {
  /** Newest first. */
  runs: RunRecord[];
  /** One line per folder that looked like a run but could not be read; callers show them. */
  warnings: string[];
  /** The folders among those whose run.json could not be read, with why (gc refuses to run over them). */
  unreadable: { dir: string; reason: string }[];
}

export interface LoadedRun {
  id: string;
  dir: string;
  record: RunRecord;
}

export interface StoreOptions {
  /** Paths in messages are shown relative to this directory. Defaults to process.cwd(). */
  cwd?: string;
}

const RUN_STATUSES = new Set(['completed', 'failed', 'interrupted', 'running', 'crashed']);
/** A sweep (issue 6) records its own folder under runs/ that is not a run; not worth a warning. */
const SWEEP_FILE = 'sweep.json';

/** `runs/` as the user would type it: relative when inside cwd, with a trailing slash. */
export function displayDir(dir: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, dir);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
  return shown.endsWith('/') ? shown : `${shown}/`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields every reader relies on; a record missing them is reported, not half-shown. */
function shapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (typeof value.id !== 'string') return 'has no "id"';
  if (typeof value.status !== 'string' || !RUN_STATUSES.has(value.status)) return `has an invalid "status" (${JSON.stringify(value.status)})`;
  if (typeof value.startedAt !== 'string' || Number.isNaN(Date.parse(value.startedAt))) return 'has an invalid "startedAt"';
  if (!isObject(value.stages)) return 'has no "stages" object';
  if (!isObject(value.params)) return 'has no "params" object';
  return undefined;
}

type FolderRead = { kind: 'run'; record: RunRecord; warning?: string } | { kind: 'broken'; warning: string; reason: string } | { kind: 'other' };

async function readRunFolder(runsDir: string, name: string, shownDir: string): Promise<FolderRead> {
  const dir = join(runsDir, name);
  let text: string;
  try {
    text = await readFile(join(dir, RUN_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await exists(join(dir, SWEEP_FILE)))) return { kind: 'other' };
    const why = code === 'ENOENT' ? 'has no run.json' : `run.json cannot be read (${code ?? String(error)})`;
    return { kind: 'broken', warning: `skipping ${shownDir}${name}: ${why}`, reason: why };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = `run.json is not valid JSON (${(error as Error).message})`;
    return { kind: 'broken', warning: `skipping ${shownDir}${name}: ${why}`, reason: why };
  }
  const problem = shapeProblem(value);
  if (problem) return { kind: 'broken', warning: `skipping ${shownDir}${name}: run.json ${problem}`, reason: `run.json ${problem}` };
  // A "running" record whose process is gone is recorded as crashed here, by its first reader.
  const record = await settleRun(dir, value as RunRecord);
  // The folder name is what users type and what other runs are found by, so it wins.
  if (record.id !== name) {
    const warning = `${shownDir}${name}: run.json says id "${record.id}"; using the folder name`;
    return { kind: 'run', record: { ...record, id: name }, warning };
  }
  return { kind: 'run', record };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function newestFirst(a: RunRecord, b: RunRecord): number {
  const byTime = Date.parse(b.startedAt) - Date.parse(a.startedAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Every run under `runsDir`, newest first. A missing `runsDir` is an empty list. Hidden entries
 * and plain files are not runs; a folder without a readable run.json becomes a warning.
 */
export async function listRuns(runsDir: string, options: StoreOptions = {}): Promise<RunListing> {
  const shownDir = displayDir(runsDir, options.cwd);
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], warnings: [], unreadable: [] };
    throw new FndError(`cannot read ${shownDir}: ${(error as Error).message}`, { cause: error });
  }
  const folders = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  const reads = await Promise.all(folders.map((name) => readRunFolder(runsDir, name, shownDir)));
  const runs: RunRecord[] = [];
  const warnings: string[] = [];
  const unreadable: RunListing['unreadable'] = [];
  reads.forEach((read, index) => {
    if (read.kind === 'run') runs.push(read.record);
    if (read.kind !== 'other' && read.warning) warnings.push(read.warning);
    if (read.kind === 'broken') unreadable.push({ dir: join(runsDir, folders[index]!), reason: read.reason });
  });
  runs.sort(newestFirst);
  warnings.sort();
  return { runs, warnings, unreadable };
}

const LATEST = /^latest(?:~(\d+))?$/;
const MAX_LISTED_MATCHES = 10;

/** The last path segment, so `runs/<id>/` (tab completion) works as well as `<id>`. */
function refName(ref: string): string {
  const trimmed = ref.trim().replace(/[\\/]+$/, '');
  return /[\\/]/.test(trimmed) ? basename(trimmed.replace(/\\/g, '/')) : trimmed;
}

/**
 * Finds one run by full id, unique id prefix, `latest` or `latest~N` (N runs before the newest).
 * Every failure is an FndError saying what exists instead.
 */
export async function resolveRun(runsDir: string, ref: string, options: StoreOptions = {}): Promise<LoadedRun> {
  const shownDir = displayDir(runsDir, options.cwd);
  const { runs, warnings } = await listRuns(runsDir, options);
  const found = (record: RunRecord): LoadedRun => ({ id: record.id, dir: join(runsDir, record.id), record });
  const name = refName(ref);
  if (name === '') throw new FndError('a run reference is empty: give a run id, a prefix of one, or "latest"', { exitCode: 2 });

  if (runs.length === 0) {
    const broken = warnings.length > 0 ? ` (${warnings.length} unreadable folder${warnings.length === 1 ? '' : 's'}: ${warnings.join('; ')})` : '';
    throw new FndError(`no runs in ${shownDir} yet${broken}: \`fnd run SPEC\` records one`, { exitCode: 2 });
  }

  const latest = LATEST.exec(name);
  if (latest) {
    const back = Number(latest[1] ?? 0);
    const record = runs[back];
    if (!record) throw new FndError(`"${name}" goes back ${back} runs, but ${shownDir} has only ${runs.length}`, { exitCode: 2 });
    return found(record);
  }

  const exact = runs.find((record) => record.id === name);
  if (exact) return found(exact);

  const matches = runs.filter((record) => record.id.startsWith(name));
  if (matches.length === 1) return found(matches[0]!);
  if (matches.length > 1) {
    const listed = matches.slice(0, MAX_LISTED_MATCHES).map((record) => `  ${record.id}`);
    if (matches.length > MAX_LISTED_MATCHES) listed.push(`  ... and ${matches.length - MAX_LISTED_MATCHES} more`);
    throw new FndError(`run prefix "${name}" is ambiguous in ${shownDir}: it matches ${matches.length} runs:\n${listed.join('\n')}`, {
      exitCode: 2,
    });
  }

  // The user may have named a folder that exists but is broken: say why rather than "no match".
  const brokenMatch = warnings.find((warning) => warning.startsWith(`skipping ${shownDir}${name}`));
  if (brokenMatch) throw new FndError(brokenMatch.replace(/^skipping /, 'cannot use run '), { exitCode: 2 });
  const count = `${runs.length} run${runs.length === 1 ? '' : 's'}`;
  throw new FndError(`no run matches "${name}" in ${shownDir} (${count}; newest: ${runs[0]!.id})`, { exitCode: 2 });
}

/** metrics.json of a run folder; `{}` when the run wrote none (it failed or is still running). */
export async function readMetrics(runDir: string): Promise<RunMetrics> {
  const path = join(runDir, METRICS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new FndError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FndError(`${path} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(value) || !Object.values(value).every(isObject)) {
    throw new FndError(`${path} must map each stage id to an object of metrics`);
  }
  return value as RunMetrics;
}

/** resolveRun plus its metrics: what show and diff need. */
export async function loadRun(runsDir: string, ref: string, options: StoreOptions = {}): Promise<LoadedRun & { metrics: RunMetrics }> {
  const run = await resolveRun(runsDir, ref, options);
  return { ...run, metrics: await readMetrics(run.dir) };
}
