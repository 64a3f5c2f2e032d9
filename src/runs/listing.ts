/**
 * What `fnd runs` lists: every run, or (by default) the runs that tell something new. A repeat is
 *  - a fully cached run (every stage restored) whose stage signatures another listed run has:
 *    the same computation, shown once, by the run that holds it first; or
 *  - a failed or interrupted run of a configuration (spec, variant, `--set`s) that was run again
 *    later: the later attempt supersedes it.
 * Runs with a name or tags are never hidden, nor are running ones. Pure over loaded records.
 */
import { canonicalJson } from '../hash/canonical.js';
import type { RunRecord } from './record.js';

export interface RunListing {
  shown: RunRecord[];
  /** Repeats left out (in the input's order), for a "N hidden" note. */
  hidden: RunRecord[];
}

/** What the user chose for a run: spec, sweep variant and `--set`s. */
function configurationKey(record: RunRecord): string {
  return canonicalJson([record.specName, record.variant ?? null, record.overrides ?? []]);
}

/** The computation a run stands for: its stages and their signatures. */
function computationKey(record: RunRecord): string {
  const stages = Object.entries(record.stages).map(([id, stage]) => [id, stage.signature]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  return canonicalJson([record.specName, stages]);
}

function isLabelled(record: RunRecord): boolean {
  return record.name !== undefined || (record.tags ?? []).length > 0;
}

function fullyCached(record: RunRecord): boolean {
  const stages = Object.values(record.stages);
  return record.status === 'completed' && stages.length > 0 && stages.every((stage) => stage.status === 'cached');
}

/** `runs` newest first, as store.listRuns returns them. */
export function hideRepeats(runs: readonly RunRecord[]): RunListing {
  const shown: RunRecord[] = [];
  const hidden: RunRecord[] = [];
  // Oldest first, so the first holder of a computation is the one kept.
  const oldestFirst = [...runs].reverse();
  const keeper = new Map<string, RunRecord>();
  for (const record of oldestFirst) {
    const key = computationKey(record);
    const current = keeper.get(key);
    // A run that computed something beats a fully cached one holding the same signatures.
    if (current === undefined || (fullyCached(current) && !fullyCached(record))) keeper.set(key, record);
  }
  const newestAttempt = new Map<string, number>();
  runs.forEach((record, index) => {
    const key = configurationKey(record);
    if (!newestAttempt.has(key)) newestAttempt.set(key, index);
  });
  runs.forEach((record, index) => {
    const repeatedLater = (record.status === 'failed' || record.status === 'interrupted') && newestAttempt.get(configurationKey(record))! < index;
    const cachedCopy = fullyCached(record) && keeper.get(computationKey(record)) !== record;
    if (!isLabelled(record) && (repeatedLater || cachedCopy)) hidden.push(record);
    else shown.push(record);
  });
  return { shown, hidden };
}

/** `name #tag --set a=1 --set b=2`, or the sweep variant: the words that tell runs of one spec apart. */
export function runLabel(record: RunRecord): string {
  const parts: string[] = [];
  if (record.name !== undefined) parts.push(record.name);
  for (const tag of record.tags ?? []) parts.push(`#${tag}`);
  if (record.variant !== undefined) parts.push(`[${record.variant}]`);
  for (const override of record.overrides ?? []) parts.push(override);
  return parts.join(' ');
}
