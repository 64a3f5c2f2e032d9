/**
 * A conservative `fnd cache gc` (issue 12 items 5 and 8): it must not delete what a run it cannot
 * read may reference, nor another project's entries in a shared cache directory.
 *
 * gc is the `core` branch's work (src/cache/gc.ts); until it is merged these tests fail on
 * purpose (today gc deletes both).
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedEntries, expectNoStackTrace, fnd, lastRecord, loadAndSplitSpec, makeFaultProject, runRecords } from './helpers/project.js';

const SPEC = (limit: number) => loadAndSplitSpec('gc', { loadWith: `limit_per_file: ${limit}` });

describe('fnd cache gc', () => {
  it('refuses, naming the file, when it cannot read a run record, and removes nothing', async () => {
    const project = makeFaultProject(SPEC(10));
    const cacheDir = join(project, '.fnd');
    expect((await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir])).code).toBe(0);
    expect((await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir, '--set', 'load-csv.with.limit_per_file=12'])).code).toBe(0);
    const entries = committedEntries(cacheDir);
    expect(entries).toHaveLength(4);
    // The second run's record becomes unreadable: its entries may only be kept.
    const runs = runRecords(project);
    const damaged = join(project, 'runs', runs[1].id, 'run.json');
    writeFileSync(damaged, '{"id": "truncated');
    for (const args of [[], ['--yes']]) {
      const result = await fnd(project, ['cache', 'gc', '--cache-dir', cacheDir, ...args]);
      expect(result.code).not.toBe(0);
      // Named relative to the project, where the user runs gc.
      expect(result.stderr).toContain(`cannot read ${relative(project, damaged)}`);
      expectNoStackTrace(result);
      expect(committedEntries(cacheDir)).toEqual(entries);
    }
  });

  it("keeps another project's entries in a shared cache directory", async () => {
    const a = makeFaultProject(SPEC(10));
    const b = makeFaultProject(SPEC(14));
    const shared = join(a, 'shared-cache');
    expect((await fnd(a, ['run', 'spec.yaml', '--plain', '--cache-dir', shared])).code).toBe(0);
    expect((await fnd(b, ['run', 'spec.yaml', '--plain', '--cache-dir', shared])).code).toBe(0);
    const entries = committedEntries(shared);
    expect(entries).toHaveLength(4);
    const gc = await fnd(a, ['cache', 'gc', '--yes', '--cache-dir', shared]);
    expectNoStackTrace(gc);
    expect(committedEntries(shared)).toEqual(entries);
    // B's next run is still served from the cache.
    expect((await fnd(b, ['run', 'spec.yaml', '--plain', '--cache-dir', shared])).code).toBe(0);
    expect(lastRecord(b)).toMatchObject({ status: 'completed', stages: { 'load-csv': { status: 'cached' }, split: { status: 'cached' } } });
  });
});
