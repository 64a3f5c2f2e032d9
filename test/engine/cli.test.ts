import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_SPEC, PLUGINS, fnd, lastRun, makeProject } from './project.js';
import { backendChoiceFor } from '../../src/nn/backend/identity.js';

describe('fnd CLI around the engine', () => {
  it('validate: exit 0 for a valid spec, exit 2 with file:line:col and a suggestion for a typo, no stack trace', async () => {
    const project = makeProject({
      ...PLUGINS,
      'pipeline.yaml': BASIC_SPEC,
      'typo.yaml': 'name: typo\nstages:\n  numbers:\n    uses: numbers\n    with: { cont: 3 }\n  sum:\n    uses: summ\n    inputs: { list: numbers }\n',
    });
    const ok = await fnd(project, ['validate', 'pipeline.yaml']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('pipeline.yaml: valid (4 stages');
    const bad = await fnd(project, ['validate', 'typo.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/typo\.yaml:5:\d+: .*unknown param "cont".*did you mean "count"\?/);
    expect(bad.stderr).toMatch(/typo\.yaml:7:\d+: .*unknown plugin "summ".*did you mean "sum"\?/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing spec file and an unknown command are one clear line each', async () => {
    const project = makeProject(PLUGINS);
    const missing = await fnd(project, ['run', 'nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: .*nope\.yaml/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = await fnd(project, ['rnu']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "rnu"; did you mean "run"?');
  });

  it("stages lists built-in and the project's plugins with their params", async () => {
    const project = makeProject(PLUGINS);
    const result = await fnd(project, ['stages', '--json']);
    expect(result.code).toBe(0);
    const stages = JSON.parse(result.stdout) as { name: string; origin: string; params: { name: string; default?: unknown }[] }[];
    const numbers = stages.find((stage) => stage.name === 'numbers')!;
    expect(numbers.origin).toBe('project');
    expect(numbers.params).toEqual([{ name: 'count', type: 'integer', default: 5, required: false, description: '' }]);
    expect(stages.find((stage) => stage.name === 'load-csv')?.origin).toBe('builtin');
    const text = await fnd(project, ['stages', 'sum']);
    expect(text.stdout).toMatch(/sum \(v1, project\)\n\s+adds the values and an offset/);
    expect(text.stdout).toMatch(/offset \(number, default 0\)/);
  });

  it('a stage with device: gpu runs in a worker process and falls back to the CPU with a warning', async () => {
    const spec = `name: gpu
stages:
  numbers: { uses: numbers, device: gpu }
  sum: { uses: sum, inputs: { list: numbers } }
`;
    const project = makeProject({
      ...PLUGINS,
      'stages/numbers/index.ts': PLUGINS['stages/numbers/index.ts']!.replace(
        "return { metrics: { count: params.count }",
        "return { metrics: { count: params.count, pid: process.pid, device: ctx.device }",
      ),
      'pipeline.yaml': spec,
    });
    const result = await fnd(project, ['run', 'pipeline.yaml']);
    expect(result.code).toBe(0);
    // Holds on any machine: without a usable GPU backend the stage falls back with a warning saying why.
    const choice = backendChoiceFor('gpu', {});
    const gpu = { available: choice.name === 'tensorflow-gpu' };
    if (!gpu.available) expect(result.stdout).toContain(`warning: stage "numbers" asked for a GPU but none is usable (${choice.gpuUnavailable}); running it on the CPU (${choice.identity})`);
    const run = lastRun(project);
    const metrics = (await import(join(project, 'runs', run.id, 'metrics.json'), { with: { type: 'json' } })).default;
    expect(metrics.numbers.device).toBe(gpu.available ? 'gpu' : 'cpu');
    expect(metrics.sum.total).toBe(15);
    expect(typeof metrics.numbers.pid).toBe('number');
  });

  it('cache gc shows unreferenced entries, removes them only with --yes', async () => {
    const project = makeProject({ ...PLUGINS, 'pipeline.yaml': BASIC_SPEC });
    expect((await fnd(project, ['run', 'pipeline.yaml'])).code).toBe(0);
    expect((await fnd(project, ['run', 'pipeline.yaml', '--set', 'stages.sum.with.offset=1'])).code).toBe(0);
    const entries = () => readdirSync(join(project, '.fnd', 'cache')).flatMap((p) => readdirSync(join(project, '.fnd', 'cache', p)));
    expect(entries()).toHaveLength(5);
    // Forget the first run: its `sum` entry (offset 0) is no longer referenced.
    const { rmSync } = await import('node:fs');
    const runs = readdirSync(join(project, 'runs')).sort();
    rmSync(join(project, 'runs', runs[0]!), { recursive: true });
    const dry = await fnd(project, ['cache', 'gc']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would remove 1 entries/);
    expect(entries()).toHaveLength(5);
    const real = await fnd(project, ['cache', 'gc', '--yes']);
    expect(real.stdout).toMatch(/removed 1 entries/);
    expect(entries()).toHaveLength(4);
    expect(existsSync(join(project, '.fnd'))).toBe(true);
    const again = await fnd(project, ['run', 'pipeline.yaml', '--set', 'stages.sum.with.offset=1']);
    expect(Object.values(lastRun(project).stages).every((s: any) => s.status === 'cached')).toBe(true);
    expect(again.code).toBe(0);
  });
});
