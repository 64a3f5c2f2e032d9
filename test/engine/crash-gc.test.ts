/** Real processes: a run killed with SIGKILL, gc over unreadable runs and a cache shared by two projects. */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BASIC_SPEC, PLUGINS, fnd, fndBin, lastRun, makeProject, readJson, runIds } from './project.js';

const SLOW_SPEC = `name: killed
stages:
  numbers: { uses: numbers }
  slow: { uses: slow, inputs: { list: numbers }, with: { ms: 60000, marker: started.txt } }
`;

function cacheEntries(cacheDir: string): string[] {
  const root = join(cacheDir, 'cache');
  return existsSync(root) ? readdirSync(root).flatMap((shard) => readdirSync(join(root, shard))).sort() : [];
}

describe('a run killed with SIGKILL', () => {
  it('is shown and recorded as crashed; its lock and temp files are reclaimed; the next run is correct', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': SLOW_SPEC });
    const child = execa(process.execPath, [fndBin, 'run', 'pipeline.yaml'], { cwd: project, reject: false, env: { CI: '1' } });
    const deadline = Date.now() + 60000;
    while (!existsSync(join(project, 'started.txt')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(project, 'started.txt'))).toBe(true);
    child.kill('SIGKILL');
    expect((await child).signal).toBe('SIGKILL');

    const [id] = runIds(project);
    const runDir = join(project, 'runs', id!);
    expect(readJson(join(runDir, 'run.json')).status).toBe('running');
    expect(existsSync(join(runDir, '.run.lock'))).toBe(true);
    // What the killed process left: its stage lock and its work directory.
    expect(readdirSync(join(project, '.fnd', 'locks')).filter((name) => name.endsWith('.lock'))).toHaveLength(1);
    expect(readdirSync(join(project, '.fnd', 'tmp'))).toHaveLength(1);

    const listed = await fnd(project, ['runs', '--json']);
    expect(listed.code).toBe(0);
    const shown = JSON.parse(listed.stdout)[0];
    expect(shown.status).toBe('crashed');
    expect(shown.error).toBe(`crashed: its process (pid ${child.pid}) is gone (killed, out of memory, or the machine restarted)`);
    const recorded = readJson(join(runDir, 'run.json'));
    expect(recorded.status).toBe('crashed');
    expect(recorded.stages.numbers.status).toBe('ran');
    expect(existsSync(join(runDir, '.run.lock'))).toBe(false);
    expect(readdirSync(runDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect((await fnd(project, ['show', id!])).stdout).toMatch(/crashed/);

    rmSync(join(project, 'started.txt'));
    writeFileSync(join(project, 'pipeline.yaml'), SLOW_SPEC.replace('ms: 60000', 'ms: 10'));
    const again = await fnd(project, ['run', 'pipeline.yaml']);
    expect(again.code).toBe(0);
    const next = lastRun(project);
    expect(next.status).toBe('completed');
    expect(next.stages.numbers.status).toBe('cached');
    expect(next.stages.slow.status).toBe('ran');
    // The dead process's stage lock and work directory are gone.
    expect(readdirSync(join(project, '.fnd', 'locks')).filter((name) => name.endsWith('.lock'))).toEqual([]);
    expect(readdirSync(join(project, '.fnd', 'tmp'))).toEqual([]);
    expect(readJson(join(runDir, 'run.json')).status).toBe('crashed');
  }, 120_000);
});

describe('cache gc is conservative', () => {
  it('refuses, naming the file, when it cannot read a run record, and removes nothing', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    expect((await fnd(project, ['run', 'pipeline.yaml'])).code).toBe(0);
    const before = cacheEntries(join(project, '.fnd'));
    const [id] = runIds(project);
    writeFileSync(join(project, 'runs', id!, 'run.json'), '{ "id": ');
    for (const args of [['cache', 'gc'], ['cache', 'gc', '--yes']]) {
      const result = await fnd(project, args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`cache gc: cannot read runs/${id}/run\\.json \\(run\\.json is not valid JSON .*\\); gc keeps every entry`));
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(cacheEntries(join(project, '.fnd'))).toEqual(before);
  }, 60_000);

  it('keeps what the runs of another project sharing the cache reference; dry run lists exactly what --yes removes', async () => {
    const shared = makeProject({});
    const cacheDir = join(shared, 'cache');
    mkdirSync(cacheDir);
    const env = { FND_CACHE_DIR: cacheDir };
    const a = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    const b = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC.replace('count: 5', 'count: 7') });
    expect((await fnd(a, ['run', 'pipeline.yaml'], { env })).code).toBe(0);
    expect((await fnd(b, ['run', 'pipeline.yaml'], { env })).code).toBe(0);
    const all = cacheEntries(cacheDir);
    expect(all.length).toBeGreaterThan(4);
    // Each project's status compares with its own last run, though both specs are "pipeline.yaml" in one cache.
    const status = await fnd(a, ['status', 'pipeline.yaml', '--set', 'vars.count=6', '--json'], { env });
    expect(JSON.parse(status.stdout)[0].reasons).toEqual(['param count changed: 5 → 6 (--set vars.count=6)']);

    const fromA = await fnd(a, ['cache', 'gc', '--yes', '--json'], { env });
    expect(fromA.code).toBe(0);
    expect(JSON.parse(fromA.stdout).removed).toEqual([]);
    expect(cacheEntries(cacheDir)).toEqual(all);

    // Project b forgets its run: now what only b used may go, and the dry run says exactly what.
    rmSync(join(b, 'runs'), { recursive: true });
    const dry = JSON.parse((await fnd(a, ['cache', 'gc', '--json'], { env })).stdout);
    const real = JSON.parse((await fnd(a, ['cache', 'gc', '--yes', '--json'], { env })).stdout);
    expect(dry.dryRun).toBe(true);
    expect(real.removed).toEqual(dry.removed);
    expect(real.removed.filter((r: { stageId: string }) => r.stageId !== '(blob)').length).toBeGreaterThan(0);
    const kept = cacheEntries(cacheDir);
    for (const stage of Object.values(lastRun(a).stages) as { signature: string }[]) expect(kept).toContain(stage.signature);
    const again = await fnd(a, ['run', 'pipeline.yaml'], { env });
    expect(Object.values(lastRun(a).stages).every((s: any) => s.status === 'cached')).toBe(true);
    expect(again.code).toBe(0);
  }, 120_000);
});
