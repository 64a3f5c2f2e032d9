import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { BASIC_SPEC, PLUGINS, fnd, fndBin, lastRun, makeProject, readJson, runIds } from './project.js';

function statuses(run: any): Record<string, string> {
  return Object.fromEntries(Object.entries(run.stages).map(([id, s]: [string, any]) => [id, s.status]));
}

describe('fnd run', () => {
  it('runs every stage the first time and restores every stage the second time', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    const first = await fnd(project, ['run', 'pipeline.yaml']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const run1 = lastRun(project);
    expect(statuses(run1)).toEqual({ numbers: 'ran', shuffle: 'ran', sum: 'ran', 'sum-shuffled': 'ran' });
    expect(run1.status).toBe('completed');
    expect(first.stdout).toContain(run1.id);
    const metrics = readJson(join(project, 'runs', run1.id, 'metrics.json'));
    expect(metrics.sum.total).toBe(15);
    expect(metrics['sum-shuffled'].total).toBe(115);
    expect(readFileSync(join(project, 'runs', run1.id, 'total.txt'), 'utf8')).toMatch(/^1?15$/);
    expect(run1.params.numbers).toEqual({ count: 5 });
    expect(run1.params.shuffle).toEqual({ seed: 7 });
    expect(existsSync(join(project, 'runs', run1.id, 'spec.yaml'))).toBe(true);
    expect(existsSync(join(project, 'runs', run1.id, 'spec.resolved.yaml'))).toBe(true);

    const second = await fnd(project, ['run', 'pipeline.yaml']);
    expect(second.code).toBe(0);
    const run2 = lastRun(project);
    expect(run2.id).not.toBe(run1.id);
    expect(statuses(run2)).toEqual({ numbers: 'cached', shuffle: 'cached', sum: 'cached', 'sum-shuffled': 'cached' });
    // Metrics of restored stages are part of the run too.
    expect(readJson(join(project, 'runs', run2.id, 'metrics.json'))).toEqual(metrics);
    expect(existsSync(join(project, 'runs', run2.id, 'total.txt'))).toBe(true);
  });

  it('reruns exactly the stages downstream of a changed param, and says why in status', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    expect((await fnd(project, ['run', 'pipeline.yaml'])).code).toBe(0);
    const status = await fnd(project, ['status', 'pipeline.yaml', '--set', 'stages.sum.with.offset=3']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/sum\s+sum\s+will run\s+param offset changed: 0 → 3/);
    expect(status.stdout).toMatch(/numbers\s+numbers\s+cached/);
    expect(status.stdout).toContain('1 of 4 stages will run');

    expect((await fnd(project, ['run', 'pipeline.yaml', '--set', 'stages.sum.with.offset=3'])).code).toBe(0);
    expect(statuses(lastRun(project))).toEqual({ numbers: 'cached', shuffle: 'cached', sum: 'ran', 'sum-shuffled': 'cached' });

    // A var used upstream changes everything below it.
    expect((await fnd(project, ['run', 'pipeline.yaml', '--set', 'vars.count=6'])).code).toBe(0);
    const run = lastRun(project);
    expect(statuses(run)).toEqual({ numbers: 'ran', shuffle: 'ran', sum: 'ran', 'sum-shuffled': 'ran' });
    expect(readJson(join(project, 'runs', run.id, 'metrics.json')).sum.total).toBe(21);
  });

  it('changing the seed reruns only the stages that consume it and their dependents', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    expect((await fnd(project, ['run', 'pipeline.yaml'])).code).toBe(0);
    const status = await fnd(project, ['status', 'pipeline.yaml', '--set', 'seed=8']);
    expect(status.stdout).toMatch(/shuffle\s+shuffle\s+will run\s+param seed changed: 7 → 8/);
    expect(status.stdout).toMatch(/sum-shuffled\s+sum\s+will run\s+upstream stage shuffle runs first/);
    expect((await fnd(project, ['run', 'pipeline.yaml', '--set', 'seed=8'])).code).toBe(0);
    expect(statuses(lastRun(project))).toEqual({ numbers: 'cached', shuffle: 'ran', sum: 'cached', 'sum-shuffled': 'ran' });
  });

  it("editing a plugin's source reruns its stages", async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    expect((await fnd(project, ['run', 'pipeline.yaml'])).code).toBe(0);
    appendFileSync(join(project, 'stages/sum/index.ts'), '\n// a comment is a change\n');
    const status = await fnd(project, ['status', 'pipeline.yaml']);
    expect(status.stdout).toMatch(/sum\s+sum\s+will run\s+code of plugin "sum" changed/);
    expect((await fnd(project, ['run', 'pipeline.yaml'])).code).toBe(0);
    expect(statuses(lastRun(project))).toEqual({ numbers: 'cached', shuffle: 'cached', sum: 'ran', 'sum-shuffled': 'ran' });
  });

  it('detects a corrupted cache entry, reports it and runs the stage again', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    expect((await fnd(project, ['run', 'pipeline.yaml'])).code).toBe(0);
    const signature = lastRun(project).stages.numbers.signature as string;
    const file = join(project, '.fnd', 'cache', signature.slice(0, 2), signature, 'outputs', 'list', 'values.json');
    writeFileSync(file, '[9,9,9,9,9]');
    const rerun = await fnd(project, ['run', 'pipeline.yaml']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/warning: cache entry of stage "numbers" is corrupt \(.*values\.json.*\)/);
    const run = lastRun(project);
    expect(run.stages.numbers.status).toBe('ran');
    // Same inputs → same output hash downstream, so the rest is still restored.
    expect(statuses(run)).toEqual({ numbers: 'ran', shuffle: 'cached', sum: 'cached', 'sum-shuffled': 'cached' });
    expect(readJson(join(project, 'runs', run.id, 'metrics.json')).sum.total).toBe(15);
  });

  it('a stage that fails with a user error names the stage and plugin; downstream is skipped', async () => {
    const spec = `name: failing
stages:
  numbers: { uses: numbers }
  boom: { uses: boom, inputs: { list: numbers } }
  after: { uses: sum, inputs: { list: boom.out } }
`;
    const project = makeProject({ ...PLUGINS, 'stages/boom/index.ts': PLUGINS['stages/boom/index.ts']!.replace("outputs: { out: { kind: 'file' } }", "outputs: { out: { kind: 'file' } }"), 'pipeline.yaml': spec });
    const result = await fnd(project, ['run', 'pipeline.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: stage "boom" (plugin boom) failed: column "title" not found in data.csv:3');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const run = lastRun(project);
    expect(run.status).toBe('failed');
    expect(statuses(run)).toEqual({ numbers: 'ran', boom: 'failed', after: 'skipped' });
  });

  it('two concurrent runs of one project both succeed and compute each stage once', async () => {
    const spec = `name: concurrent
stages:
  numbers: { uses: numbers }
  slow: { uses: slow, inputs: { list: numbers }, with: { ms: 1500 } }
`;
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': spec });
    const [a, b] = await Promise.all([fnd(project, ['run', 'pipeline.yaml']), fnd(project, ['run', 'pipeline.yaml'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const runs = runIds(project).map((id) => readJson(join(project, 'runs', id, 'run.json')));
    expect(runs).toHaveLength(2);
    const slowStatuses = runs.map((run) => run.stages.slow.status).sort();
    expect(slowStatuses).toEqual(['cached', 'ran']);
    expect(runs[0].stages.slow.signature).toBe(runs[1].stages.slow.signature);
    const entries = readdirSync(join(project, '.fnd', 'cache')).flatMap((prefix) => readdirSync(join(project, '.fnd', 'cache', prefix)));
    expect(entries).toHaveLength(2);
  });

  it('Ctrl-C stops the run: completed stages stay cached, nothing half-written remains, the run is recorded as interrupted', async () => {
    const spec = `name: interrupted
stages:
  numbers: { uses: numbers }
  slow: { uses: slow, inputs: { list: numbers }, with: { ms: 60000, marker: started.txt } }
`;
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': spec });
    const child = execa(process.execPath, [fndBin, 'run', 'pipeline.yaml'], { cwd: project, reject: false, env: { CI: '1' } });
    const deadline = Date.now() + 30000;
    while (!existsSync(join(project, 'started.txt')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(project, 'started.txt'))).toBe(true);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const run = lastRun(project);
    expect(run.status).toBe('interrupted');
    expect(statuses(run)).toEqual({ numbers: 'ran', slow: 'failed' });
    expect(run.stages.slow.error).toBe('interrupted');
    // Only the completed stage is in the cache; the slow stage's partial output is gone.
    const cacheRoot = join(project, '.fnd', 'cache');
    const entries = readdirSync(cacheRoot).flatMap((prefix) => readdirSync(join(cacheRoot, prefix)));
    expect(entries).toEqual([run.stages.numbers.signature]);
    const tmp = join(project, '.fnd', 'tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    rmSync(join(project, 'started.txt'));
    const status = await fnd(project, ['status', 'pipeline.yaml']);
    expect(status.stdout).toMatch(/numbers\s+numbers\s+cached/);
    expect(status.stdout).toMatch(/slow\s+slow\s+will run/);
  });
});
