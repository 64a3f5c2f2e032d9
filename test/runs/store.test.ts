import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FndError } from '../../src/util/errors.js';
import { listRuns, readMetrics, resolveRun } from '../../src/runs/store.js';
import { makeRecord, tempDir, writeRun } from './helpers.js';

const IDS = {
  oldest: '20261127-010000-000-demo',
  middle: '20261127-020000-000-tinybert',
  newest: '20261128-000000-000-demo',
};

/** A project folder with runs/ holding three runs (written out of order) and some non-runs. */
async function project(): Promise<{ cwd: string; runsDir: string }> {
  const cwd = await tempDir();
  const runsDir = join(cwd, 'runs');
  await writeRun(runsDir, makeRecord({ id: IDS.middle, specName: 'tinybert', startedAt: '2026-11-27T02:00:00.000Z' }), { e: { accuracy: 0.5 } });
  await writeRun(runsDir, makeRecord({ id: IDS.newest, startedAt: '2026-11-28T00:00:00.000Z' }), { e: { accuracy: 0.75 } });
  await writeRun(runsDir, makeRecord({ id: IDS.oldest, startedAt: '2026-11-27T01:00:00.000Z' }), { e: { accuracy: 0.25 } });
  await writeFile(join(runsDir, '.gitkeep'), '');
  await mkdir(join(runsDir, '.hidden'));
  return { cwd, runsDir };
}

async function errorOf(promise: Promise<unknown>): Promise<FndError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FndError);
    return error as FndError;
  }
  throw new Error('expected an FndError');
}

describe('listRuns', () => {
  it('lists newest first and ignores hidden entries and plain files', async () => {
    const { cwd, runsDir } = await project();
    const { runs, warnings } = await listRuns(runsDir, { cwd });
    expect(runs.map((run) => run.id)).toEqual([IDS.newest, IDS.middle, IDS.oldest]);
    expect(warnings).toEqual([]);
  });

  it('skips broken folders with a warning for each, and still lists the rest', async () => {
    const { cwd, runsDir } = await project();
    await mkdir(join(runsDir, '20261129-000000-000-empty'));
    await mkdir(join(runsDir, '20261129-000000-000-garbled'));
    await writeFile(join(runsDir, '20261129-000000-000-garbled', 'run.json'), '{"id": "20261129-00');
    await mkdir(join(runsDir, '20261129-000000-000-shapeless'));
    await writeFile(join(runsDir, '20261129-000000-000-shapeless', 'run.json'), '{"id": "x", "status": "done"}');
    const { runs, warnings } = await listRuns(runsDir, { cwd });
    expect(runs.map((run) => run.id)).toEqual([IDS.newest, IDS.middle, IDS.oldest]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe('skipping runs/20261129-000000-000-empty: has no run.json');
    expect(warnings[1]).toMatch(/^skipping runs\/20261129-000000-000-garbled: run\.json is not valid JSON \(/);
    expect(warnings[2]).toBe('skipping runs/20261129-000000-000-shapeless: run.json has an invalid "status" ("done")');
  });

  it('uses the folder name when run.json disagrees, and says so', async () => {
    const { cwd, runsDir } = await project();
    await writeRun(join(cwd, 'elsewhere'), makeRecord({ id: '20261130-000000-000-copied' }), {});
    const { cp } = await import('node:fs/promises');
    await cp(join(cwd, 'elsewhere', '20261130-000000-000-copied'), join(runsDir, '20261130-000000-000-renamed'), { recursive: true });
    const { runs, warnings } = await listRuns(runsDir, { cwd });
    expect(runs.map((run) => run.id)).toContain('20261130-000000-000-renamed');
    expect(warnings).toEqual(['runs/20261130-000000-000-renamed: run.json says id "20261130-000000-000-copied"; using the folder name']);
  });

  it('treats a missing runs folder as no runs', async () => {
    const cwd = await tempDir();
    expect(await listRuns(join(cwd, 'runs'), { cwd })).toEqual({ runs: [], warnings: [], unreadable: [] });
  });
});

describe('resolveRun', () => {
  it('finds a run by full id, unique prefix, path, latest and latest~N', async () => {
    const { cwd, runsDir } = await project();
    const id = async (ref: string) => (await resolveRun(runsDir, ref, { cwd })).id;
    expect(await id(IDS.middle)).toBe(IDS.middle);
    expect(await id('20261128')).toBe(IDS.newest);
    expect(await id('20261127-02')).toBe(IDS.middle);
    expect(await id(`runs/${IDS.oldest}/`)).toBe(IDS.oldest);
    expect(await id('latest')).toBe(IDS.newest);
    expect(await id('latest~0')).toBe(IDS.newest);
    expect(await id('latest~1')).toBe(IDS.middle);
    expect(await id('latest~2')).toBe(IDS.oldest);
    const resolved = await resolveRun(runsDir, 'latest', { cwd });
    expect(resolved.dir).toBe(join(runsDir, IDS.newest));
    expect(resolved.record.startedAt).toBe('2026-11-28T00:00:00.000Z');
    expect(await readMetrics(resolved.dir)).toEqual({ e: { accuracy: 0.75 } });
  });

  it('explains unknown, ambiguous and out-of-range references', async () => {
    const { cwd, runsDir } = await project();
    const unknown = await errorOf(resolveRun(runsDir, 'x', { cwd }));
    expect(unknown.message).toBe(`no run matches "x" in runs/ (3 runs; newest: ${IDS.newest})`);
    expect(unknown.exitCode).toBe(2);

    const ambiguous = await errorOf(resolveRun(runsDir, '20261127', { cwd }));
    expect(ambiguous.message).toBe(`run prefix "20261127" is ambiguous in runs/: it matches 2 runs:\n  ${IDS.middle}\n  ${IDS.oldest}`);

    const tooFar = await errorOf(resolveRun(runsDir, 'latest~3', { cwd }));
    expect(tooFar.message).toBe('"latest~3" goes back 3 runs, but runs/ has only 3');
  });

  it('says why a named folder cannot be used, and when there are no runs at all', async () => {
    const { cwd, runsDir } = await project();
    await mkdir(join(runsDir, '20261129-000000-000-empty'));
    const broken = await errorOf(resolveRun(runsDir, '20261129-000000-000-empty', { cwd }));
    expect(broken.message).toBe('cannot use run runs/20261129-000000-000-empty: has no run.json');

    const empty = await tempDir();
    const none = await errorOf(resolveRun(join(empty, 'runs'), 'latest', { cwd: empty }));
    expect(none.message).toBe('no runs in runs/ yet: `fnd run SPEC` records one');
  });

  it('shows the runs folder as given when it is outside the working directory', async () => {
    const { runsDir } = await project();
    const elsewhere = await tempDir();
    const error = await errorOf(resolveRun(runsDir, 'nope', { cwd: elsewhere }));
    expect(error.message).toBe(`no run matches "nope" in ${runsDir}/ (3 runs; newest: ${IDS.newest})`);
  });
});

describe('readMetrics', () => {
  it('returns {} when the run wrote none and rejects a malformed file', async () => {
    const dir = await tempDir();
    expect(await readMetrics(dir)).toEqual({});
    await writeFile(join(dir, 'metrics.json'), '{"train": 3}');
    await expect(readMetrics(dir)).rejects.toThrow(/metrics\.json must map each stage id to an object of metrics/);
    await writeFile(join(dir, 'metrics.json'), '{');
    await expect(readMetrics(dir)).rejects.toThrow(/metrics\.json is not valid JSON/);
  });
});
