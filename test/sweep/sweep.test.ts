import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fndBin } from '../engine/project.js';
import { SWEEP_PLUGINS, SWEEP_SPEC, fnd, makeProject, readJson } from './project.js';

function runsOf(project: string): any[] {
  const dir = join(project, 'runs');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'run.json')))
    .sort()
    .map((name) => readJson(join(dir, name, 'run.json')));
}

function sweepOf(project: string): any {
  const dir = join(project, 'runs');
  const name = readdirSync(dir).find((n) => existsSync(join(dir, n, 'sweep.json')))!;
  return readJson(join(dir, name, 'sweep.json'));
}

const VARIANTS = [
  'quality=0.5,seed=1',
  'quality=0.5,seed=2',
  'quality=0.5,seed=3',
  'quality=0.7,seed=1',
  'quality=0.7,seed=2',
  'quality=0.7,seed=3',
];

describe('fnd sweep', () => {
  it('runs 3 seeds × 2 values with the upstream stage computed once, records the sweep and prints a sorted summary with mean ± std', async () => {
    const project = makeProject({ ...SWEEP_PLUGINS, 'sweep.yaml': SWEEP_SPEC });
    const dry = await fnd(project, ['sweep', 'sweep.yaml', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('0 already completed, 6 to run; 10 stage runs in all');
    expect(dry.stdout).toMatch(/quality=0\.5,seed=1\s+to run\s+run\s+run\s+run/);
    expect(dry.stdout).toMatch(/quality=0\.5,seed=2\s+to run\s+restore\*\s+run\s+run/);
    expect(dry.stdout).toMatch(/quality=0\.7,seed=3\s+to run\s+restore\*\s+restore\*\s+run/);
    expect(existsSync(join(project, 'runs'))).toBe(false);

    const result = await fnd(project, ['sweep', 'sweep.yaml', '-j', '2']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const runs = runsOf(project);
    expect(runs).toHaveLength(6);
    expect(runs.map((r) => r.variant).sort()).toEqual(VARIANTS);
    expect(runs.filter((r) => r.stages.numbers.status === 'cached')).toHaveLength(5);
    expect(runs.filter((r) => r.stages.numbers.status === 'ran')).toHaveLength(1);
    // Three seeds: shuffle is computed once per seed, restored for the second quality.
    expect(runs.filter((r) => r.stages.shuffle.status === 'ran')).toHaveLength(3);
    expect(runs.every((r) => r.status === 'completed' && r.stages.evaluate.status === 'ran')).toBe(true);

    const sweep = sweepOf(project);
    expect(sweep.status).toBe('completed');
    expect(sweep.sort).toBe('evaluate.test.f1');
    expect(sweep.variants.map((v: any) => [v.name, v.status])).toEqual(VARIANTS.map((name) => [name, 'completed']));
    expect(new Set(sweep.variants.map((v: any) => v.runId))).toEqual(new Set(runs.map((r) => r.id)));
    expect(runs.every((r) => r.sweep === sweep.id)).toBe(true);
    expect(sweep.variants[4].sets).toEqual(['evaluate.with.quality=0.7', 'seed=2']);

    // Summary sorted by test F1, best first.
    const summary = result.stdout.slice(result.stdout.indexOf(`Sweep ${sweep.id}`));
    const order = VARIANTS.map((v) => [v, summary.indexOf(v)] as const).sort((a, b) => a[1] - b[1]).map(([v]) => v);
    expect(order).toEqual(['quality=0.7,seed=3', 'quality=0.7,seed=2', 'quality=0.7,seed=1', 'quality=0.5,seed=3', 'quality=0.5,seed=2', 'quality=0.5,seed=1']);
    expect(summary).toContain('sorted by evaluate.test.f1 (higher is better)');
    // accuracy = quality + seed/100: 0.51, 0.52, 0.53 → mean 0.52, sample std 0.01.
    expect(summary).toMatch(/Over seeds \(seed\), grouped by evaluate\.quality/);
    expect(summary).toMatch(/0\.5\s+3\s+1, 2, 3\s+0\.52 ± 0\.01\s+0\.51, 0\.52, 0\.53\s+0\.51 ± 0\.01\s+0\.5, 0\.51, 0\.52/);
    expect(summary).toMatch(/0\.7\s+3\s+1, 2, 3\s+0\.72 ± 0\.01\s+0\.71, 0\.72, 0\.73/);

    // Sorting by another metric, short name accepted; a second run skips every variant.
    const again = await fnd(project, ['sweep', 'sweep.yaml', '--sort', 'validation.accuracy']);
    expect(again.code).toBe(0);
    expect(runsOf(project)).toHaveLength(6);
    expect(again.stdout).toContain('6 variants: 0 run now, 6 already completed; status completed');
    expect(again.stdout).toContain('sorted by evaluate.validation.accuracy (higher is better)');
    expect(sweepOf(project).sort).toBe('evaluate.validation.accuracy');
  });

  it('resumes an interrupted sweep: a rerun runs only the variants that did not complete', async () => {
    const spec = SWEEP_SPEC.replace('    inputs: { list: shuffle.list }\nmatrix', '    inputs: { list: shuffle.list }\n    with: { block_seed: 3, block_file: BLOCK, marker_file: MARKER }\nmatrix');
    const project = makeProject({ ...SWEEP_PLUGINS });
    const block = join(project, 'block');
    const marker = join(project, 'blocked');
    writeFileSync(join(project, 'sweep.yaml'), spec.replace('BLOCK', block).replace('MARKER', marker));
    writeFileSync(block, '');
    const child = execa(process.execPath, [fndBin, 'sweep', 'sweep.yaml'], { cwd: project, reject: false, env: { CI: '1' } });
    // The third variant (seed 3) blocks once started; interrupt it there, as Ctrl-C would.
    while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    const first = await child;
    expect(first.exitCode).toBe(130);
    const interrupted = sweepOf(project);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.variants.map((v: any) => v.status)).toEqual(['completed', 'completed', 'interrupted', 'pending', 'pending', 'pending']);
    const before = runsOf(project);
    expect(before.map((r) => r.status)).toEqual(['completed', 'completed', 'interrupted']);

    rmSync(block);
    const resumed = await fnd(project, ['sweep', 'sweep.yaml']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`= quality=0.5,seed=1: already completed in run ${before[0].id}; skipped`);
    expect(resumed.stdout).toContain('6 variants: 4 run now, 2 already completed; status completed');
    const after = runsOf(project);
    expect(after).toHaveLength(7);
    const newRuns = after.filter((r) => !before.some((b) => b.id === r.id));
    expect(newRuns.map((r) => r.variant)).toEqual(VARIANTS.slice(2));
    const done = sweepOf(project);
    expect(done.variants.every((v: any) => v.status === 'completed')).toBe(true);
    expect(done.variants[0].runId).toBe(before[0].id);
    expect(done.createdAt).toBe(interrupted.createdAt);
  });

  it('refuses a matrix key that is no param, and a value the schema refuses, before running anything', async () => {
    const project = makeProject({ ...SWEEP_PLUGINS, 'sweep.yaml': SWEEP_SPEC });
    const typo = await fnd(project, ['sweep', 'sweep.yaml', '--matrix', 'evaluate.with.qualty=0.1,0.2']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--matrix evaluate.with.qualty=0.1');
    expect(typo.stderr).toContain('unknown param "qualty" of plugin "fake-eval"; did you mean "quality"?');
    expect(typo.stderr).not.toContain('    at ');

    const stage = await fnd(project, ['sweep', 'sweep.yaml', '--matrix', 'evalute.with.quality=0.1']);
    expect(stage.code).toBe(2);
    expect(stage.stderr).toMatch(/--matrix evalute\.with\.quality=0\.1: "evalute" is neither a stage id nor a top-level key.*did you mean "evaluate"\?/);

    writeFileSync(join(project, 'bad.yaml'), SWEEP_SPEC.replace('[0.5, 0.7]', '[0.5, 1.5]'));
    const value = await fnd(project, ['sweep', 'bad.yaml']);
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/bad\.yaml:13:3 \(matrix value evaluate\.with\.quality=1\.5\): stages\.evaluate\.with\.quality: must be <= 1, got number 1\.5/);
    expect(existsSync(join(project, 'runs'))).toBe(false);

    const bad = await fnd(project, ['sweep', 'sweep.yaml', '--matrix', 'seed']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--matrix seed: expected PATH=V1,V2');
  });
});
