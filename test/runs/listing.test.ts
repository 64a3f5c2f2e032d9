import { describe, expect, it } from 'vitest';
import { hideRepeats, runLabel } from '../../src/runs/listing.js';
import type { RunRecord } from '../../src/runs/record.js';
import { BASIC_SPEC, PLUGINS, fnd, lastRun, makeProject } from '../engine/project.js';
import { makeRecord, stage } from './helpers.js';

/** A run of `demo` at minute `minute`; `sig` names the train stage's signature. */
function run(minute: number, status: RunRecord['status'], trainStatus: 'ran' | 'cached' | 'failed', sig: string, extra: Partial<RunRecord> = {}): RunRecord {
  const id = `20261127-01${String(minute).padStart(2, '0')}00-000-demo`;
  return makeRecord({
    id,
    status,
    stages: { load: stage(trainStatus === 'ran' && minute === 0 ? 'ran' : 'cached', 'l'.repeat(64), 5), train: stage(trainStatus, trainStatus === 'failed' ? '' : sig.repeat(64), 10) },
    ...extra,
  });
}

describe('hideRepeats', () => {
  it('hides fully cached copies of a listed computation and failed runs that were run again', () => {
    const first = run(0, 'completed', 'ran', 'a');
    const cachedCopy = run(1, 'completed', 'cached', 'a');
    const failed = run(2, 'failed', 'failed', '', { overrides: ['train.with.learning_rate=1'] });
    const retried = run(3, 'completed', 'ran', 'b', { overrides: ['train.with.learning_rate=1'] });
    const otherLr = run(4, 'failed', 'failed', '', { overrides: ['train.with.learning_rate=2'] });
    const named = run(5, 'completed', 'cached', 'a', { name: 'keep me' });
    const newestFirst = [named, otherLr, retried, failed, cachedCopy, first];
    const { shown, hidden } = hideRepeats(newestFirst);
    expect(shown.map((r) => r.id)).toEqual([named, otherLr, retried, first].map((r) => r.id));
    expect(hidden.map((r) => r.id)).toEqual([failed, cachedCopy].map((r) => r.id));
  });

  it('keeps one fully cached run when no listed run computed it (the oldest)', () => {
    const older = run(1, 'completed', 'cached', 'a');
    const newer = run(2, 'completed', 'cached', 'a');
    const { shown, hidden } = hideRepeats([newer, older]);
    expect(shown.map((r) => r.id)).toEqual([older.id]);
    expect(hidden.map((r) => r.id)).toEqual([newer.id]);
  });

  it('labels a run by name, tags, sweep variant and overrides', () => {
    expect(runLabel(makeRecord({ name: 'baseline', tags: ['lr', 'v2'], variant: 'seed=1', overrides: ['vars.max_length=64'] }))).toBe('baseline #lr #v2 [seed=1] vars.max_length=64');
    expect(runLabel(makeRecord())).toBe('');
  });
});

describe('fnd runs with overrides, names and repeats (real CLI)', () => {
  it('records --set, --name and --tag, shows them, and hides a cached repeat unless --all', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    expect((await fnd(project, ['run', 'pipeline.yaml', '--set', 'stages.sum.with.offset=1'])).code).toBe(0);
    expect(lastRun(project).overrides).toEqual(['stages.sum.with.offset=1']);
    expect((await fnd(project, ['run', 'pipeline.yaml', '--set', 'stages.sum.with.offset=2', '--set', 'vars.count=6', '--name', 'bigger', '--tag', 'try'])).code).toBe(0);
    const labelled = lastRun(project);
    expect(labelled).toMatchObject({ overrides: ['stages.sum.with.offset=2', 'vars.count=6'], name: 'bigger', tags: ['try'] });
    // The same as the first run: every stage from the cache.
    expect((await fnd(project, ['run', 'pipeline.yaml', '--set', 'stages.sum.with.offset=1'])).code).toBe(0);
    expect(Object.values(lastRun(project).stages).every((s: any) => s.status === 'cached')).toBe(true);

    const listed = await fnd(project, ['runs']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+spec\s+set \/ name\s+status/);
    const rows = lines.slice(2, -1).map((line) => line.split(/\s{2,}/));
    expect(rows.map((cells) => cells[2])).toEqual(['bigger #try stages.sum.with.offset=2 vars.count=6', 'stages.sum.with.offset=1']);
    expect(rows[1]![6]).toBe('4 ran, 0 cached');
    expect(lines.at(-1)).toBe('(1 repeat hidden: fully cached re-runs and failed runs run again; --all shows them)');

    const all = await fnd(project, ['runs', '--all']);
    const allRows = all.stdout.trimEnd().split('\n').slice(2);
    expect(allRows).toHaveLength(3);
    expect(allRows[0]!.split(/\s{2,}/).slice(2, 4)).toEqual(['stages.sum.with.offset=1', 'completed']);
    expect(all.stdout).not.toContain('hidden');

    const bad = await fnd(project, ['run', 'pipeline.yaml', '--name', ' ']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('error: --name needs a non-empty, one-line value (got " ")');
  });
});
