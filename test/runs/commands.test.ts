import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import diffCommand from '../../src/cli/commands/diff.js';
import runsCommand from '../../src/cli/commands/runs.js';
import showCommand from '../../src/cli/commands/show.js';
import type { RunDiff } from '../../src/runs/diff.js';
import type { RunRecord } from '../../src/runs/record.js';
import { makeRecord, runCommand, stage, tempDir, writeRun } from './helpers.js';

const OLD = '20261127-010000-000-demo';
const NEW = '20261127-020000-000-demo';

/** A project with two finished runs of the demo spec that differ in learning rate. */
async function project(): Promise<{ cwd: string; runsDir: string }> {
  const cwd = await tempDir();
  const runsDir = join(cwd, 'runs');
  await writeRun(
    runsDir,
    makeRecord({
      id: OLD,
      startedAt: '2026-11-27T01:00:00.000Z',
      durationMs: 65000,
      params: { train: { learning_rate: 3e-5, epochs: 3 } },
      stages: { load: stage('ran', 'a'.repeat(64), 1200, 'load-csv'), train: stage('ran', 'b'.repeat(64), 60000, 'train') },
    }),
    { train: { loss: 0.5 }, evaluate: { test: { accuracy: 0.875, f1: 0.8 } } },
  );
  await writeRun(
    runsDir,
    makeRecord({
      id: NEW,
      startedAt: '2026-11-27T02:00:00.000Z',
      durationMs: 30500,
      params: { train: { learning_rate: 5e-5, epochs: 3 } },
      overrides: ['train.with.learning_rate=5e-5'],
      stages: { load: stage('cached', 'a'.repeat(64), 3, 'load-csv'), train: { ...stage('ran', 'c'.repeat(64), 30000, 'train'), reason: 'param learning_rate changed 3e-5 → 5e-5' } },
    }),
    { train: { loss: 0.25 }, evaluate: { test: { accuracy: 0.9375, f1: 0.8 } } },
  );
  return { cwd, runsDir };
}

describe('fnd runs', () => {
  it('prints a table newest first with stage counts and key metrics', async () => {
    const { cwd } = await project();
    const { code, stdout, stderr } = await runCommand(runsCommand, [], cwd);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^id\s+spec\s+set \/ name\s+status\s+started \(UTC\)\s+duration\s+stages\s+evaluate\.test\.accuracy\s+evaluate\.test\.f1\s+train\.loss$/);
    expect(lines[2]!.split(/\s{2,}/)).toEqual([NEW, 'demo', 'train.with.learning_rate=5e-5', 'completed', '2026-11-27 02:00:00', '30.5 s', '1 ran, 1 cached', '0.9375', '0.8', '0.25']);
    expect(lines[3]!.split(/\s{2,}/)).toEqual([OLD, 'demo', 'completed', '2026-11-27 01:00:00', '1 min 05 s', '2 ran, 0 cached', '0.875', '0.8', '0.5']);
  });

  it('limits the list and says how many are hidden; warns about broken folders on stderr', async () => {
    const { cwd, runsDir } = await project();
    await mkdir(join(runsDir, 'leftover'));
    const { code, stdout, stderr } = await runCommand(runsCommand, ['--limit', '1'], cwd);
    expect(code).toBe(0);
    expect(stdout).toContain(NEW);
    expect(stdout).not.toContain(OLD);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('(newest 1 of 2 runs; --limit N shows more)');
    expect(stderr).toBe('warning: skipping runs/leftover: has no run.json\n');
    await expect(runCommand(runsCommand, ['--limit', 'zero'], cwd)).rejects.toThrow('--limit must be a whole number of runs, at least 1 (got "zero")');
  });

  it('prints the records with their metrics as JSON', async () => {
    const { cwd } = await project();
    const { stdout } = await runCommand(runsCommand, ['--json'], cwd);
    const parsed = JSON.parse(stdout) as (RunRecord & { metrics: unknown })[];
    expect(parsed.map((run) => run.id)).toEqual([NEW, OLD]);
    expect(parsed[0]!.metrics).toEqual({ train: { loss: 0.25 }, evaluate: { test: { accuracy: 0.9375, f1: 0.8 } } });
    expect(parsed[0]!.stages.load!.status).toBe('cached');
  });

  it('says so when there are no runs, and honours --runs-dir', async () => {
    const cwd = await tempDir();
    expect((await runCommand(runsCommand, [], cwd)).stdout).toBe('no runs in runs/ yet: `fnd run SPEC` records one\n');
    expect(JSON.parse((await runCommand(runsCommand, ['--json'], cwd)).stdout)).toEqual([]);
    const { cwd: other } = await project();
    const { stdout } = await runCommand(runsCommand, ['--runs-dir', join(other, 'runs'), '--json'], cwd);
    expect((JSON.parse(stdout) as RunRecord[]).map((run) => run.id)).toEqual([NEW, OLD]);
  });
});

describe('fnd show', () => {
  it('prints the record: stages with timings, params, metrics and files', async () => {
    const { cwd, runsDir } = await project();
    await mkdir(join(runsDir, NEW, 'model'));
    await writeFile(join(runsDir, NEW, 'model', 'weights.bin'), Buffer.alloc(2048));
    await writeFile(join(runsDir, NEW, 'report.md'), '# report\n');
    const { code, stdout } = await runCommand(showCommand, ['latest'], cwd);
    expect(code).toBe(0);
    expect(stdout).toContain(`run          ${NEW}\n`);
    expect(stdout).toContain('spec         pipelines/demo.yaml (demo)\n');
    expect(stdout).toContain('status       completed\n');
    expect(stdout).toContain('overrides    --set train.with.learning_rate=5e-5\n');
    expect(stdout).toContain('started      2026-11-27 02:00:00 UTC\n');
    expect(stdout).toContain('environment  node v20.18.0, fnd 0.1.0, backend cpu, linux-x64, git abcdef012345\n');
    const lines = stdout.split('\n');
    const row = (first: string) => lines.find((line) => line.trimStart().startsWith(`${first} `))?.trim().split(/\s{2,}/);
    expect(row('load')).toEqual(['load', 'load-csv', 'cached', '3 ms', 'aaaaaaaaaaaa']);
    expect(row('train')).toEqual(['train', 'train', 'ran', '30.0 s', 'cccccccccccc', 'param learning_rate changed 3e-5 → 5e-5']);
    expect(row('train.learning_rate')).toEqual(['train.learning_rate', '5e-05']);
    expect(row('evaluate.test.accuracy')).toEqual(['evaluate.test.accuracy', '0.9375']);
    expect(row('model/')).toEqual(['model/', '2.0 KiB in 1 files']);
    expect(row('report.md')).toEqual(['report.md', '9 B']);
    expect(stdout.indexOf('Stages')).toBeLessThan(stdout.indexOf('Params'));
    expect(stdout.indexOf('Params')).toBeLessThan(stdout.indexOf('Metrics'));
    expect(stdout.indexOf('Metrics')).toBeLessThan(stdout.indexOf('Files'));
  });

  it('prints JSON with the record, metrics and files; an unknown run is a clear error', async () => {
    const { cwd } = await project();
    const parsed = JSON.parse((await runCommand(showCommand, [OLD.slice(0, 12), '--json'], cwd)).stdout);
    expect(parsed.record.id).toBe(OLD);
    expect(parsed.metrics.evaluate.test.accuracy).toBe(0.875);
    expect(parsed.files.map((file: { path: string }) => file.path)).toEqual(['metrics.json', 'run.json', 'spec.resolved.yaml', 'spec.yaml']);
    await expect(runCommand(showCommand, ['nope'], cwd)).rejects.toThrow(`no run matches "nope" in runs/ (2 runs; newest: ${NEW})`);
  });
});

describe('fnd diff', () => {
  it('prints params that differ, then the metrics that changed with their delta, then stages that differ', async () => {
    const { cwd } = await project();
    const { code, stdout } = await runCommand(diffCommand, [OLD, 'latest'], cwd);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`A  ${OLD}  pipelines/demo.yaml  completed  2026-11-27 01:00:00 UTC  1 min 05 s`);
    expect(lines[1]).toBe(`B  ${NEW}  pipelines/demo.yaml  completed  2026-11-27 02:00:00 UTC  30.5 s`);
    const row = (first: string) => lines.find((line) => line.trimStart().startsWith(`${first} `))?.trim().split(/\s{2,}/);
    expect(row('train.learning_rate')).toEqual(['train.learning_rate', '3e-05', '5e-05']);
    expect(row('train.epochs')).toBeUndefined();
    expect(row('train.loss')).toEqual(['train.loss', '0.5', '0.25', '-0.25']);
    expect(row('evaluate.test.accuracy')).toEqual(['evaluate.test.accuracy', '0.875', '0.9375', '+0.0625']);
    // Unchanged: left out by default, counted.
    expect(row('evaluate.test.f1')).toBeUndefined();
    expect(stdout).toContain('  1 unchanged metric not shown (--all shows them)\n');
    expect(stdout).toContain('  2 unchanged params not shown (--all shows them)\n');
    expect(row('load')).toEqual(['load', 'ran', 'cached', 'same']);
    expect(row('train')).toEqual(['train', 'ran', 'ran', 'differs']);
    expect(stdout.indexOf('Params that differ')).toBeLessThan(stdout.indexOf('Metrics that changed'));
  });

  it('shows everything with --all: same params, unchanged metrics and stages', async () => {
    const { cwd, runsDir } = await project();
    // Make load identical in both runs (same status and signature): hidden by default, shown with --all.
    const record = JSON.parse(await readFile(join(runsDir, NEW, 'run.json'), 'utf8')) as RunRecord;
    record.stages.load!.status = 'ran';
    await writeFile(join(runsDir, NEW, 'run.json'), JSON.stringify(record));
    const lines = (await runCommand(diffCommand, [OLD, NEW], cwd)).stdout.split('\n');
    const row = (text: string[], first: string) => text.find((line) => line.trimStart().startsWith(`${first} `))?.trim().split(/\s{2,}/);
    expect(row(lines, 'load')).toBeUndefined();
    expect(lines).toContain('  1 unchanged stage not shown (--all shows them)');
    const all = (await runCommand(diffCommand, [OLD, NEW, '--all'], cwd)).stdout.split('\n');
    expect(row(all, 'evaluate.test.f1')).toEqual(['evaluate.test.f1', '0.8', '0.8', '0']);
    expect(row(all, 'train.epochs')).toEqual(['train.epochs', '3', '3']);
    expect(row(all, 'seed')).toEqual(['seed', '42', '42']);
    expect(row(all, 'train.learning_rate')).toEqual(['train.learning_rate', '3e-05', '5e-05']);
    expect(row(all, 'load')).toEqual(['load', 'ran', 'ran', 'same']);
    expect(all.join('\n')).not.toContain('not shown');
    expect(all.findIndex((l) => l.includes('train.learning_rate'))).toBeLessThan(all.findIndex((l) => l.includes('train.epochs')));
  });

  it('writes Markdown tables with --md', async () => {
    const { cwd } = await project();
    const { stdout } = await runCommand(diffCommand, [OLD, NEW, '--md'], cwd);
    expect(stdout).toContain('### Params that differ\n\n| param | A | B |\n| --- | --- | --- |\n| train.learning_rate | 3e-05 | 5e-05 |\n');
    expect(stdout).toContain('| metric | A | B | delta |\n| --- | ---: | ---: | ---: |\n| train.loss | 0.5 | 0.25 | -0.25 |\n');
    expect(stdout).toContain(`- A  ${OLD}  pipelines/demo.yaml`);
  });

  it('prints the diff as JSON with --json, and refuses --md with --json', async () => {
    const { cwd } = await project();
    const diff = JSON.parse((await runCommand(diffCommand, [OLD, NEW, '--json'], cwd)).stdout) as RunDiff;
    expect(diff.a.id).toBe(OLD);
    expect(diff.params).toEqual([{ path: 'train.learning_rate', a: 3e-5, b: 5e-5, change: 'different' }]);
    expect(diff.metrics.find((m) => m.path === 'evaluate.test.accuracy')).toEqual({ path: 'evaluate.test.accuracy', a: 0.875, b: 0.9375, change: 'different', delta: 0.0625 });
    await expect(runCommand(diffCommand, [OLD, NEW, '--md', '--json'], cwd)).rejects.toThrow('choose one of --md and --json');
    await expect(runCommand(diffCommand, ['2026', NEW], cwd)).rejects.toThrow(/run prefix "2026" is ambiguous in runs\/: it matches 2 runs/);
  });

  it('says so when the params are identical, and shows — for a metric only one run has', async () => {
    const { cwd, runsDir } = await project();
    await writeFile(join(runsDir, NEW, 'metrics.json'), JSON.stringify({ train: { loss: 0.5 }, extra: { accuracy: 1 } }));
    const { stdout } = await runCommand(diffCommand, [NEW, NEW], cwd);
    expect(stdout).toContain('Params that differ\n  none: the params are identical\n');
    const { stdout: other } = await runCommand(diffCommand, [OLD, NEW], cwd);
    const row = other.split('\n').find((line) => line.trimStart().startsWith('extra.accuracy '))?.trim().split(/\s{2,}/);
    expect(row).toEqual(['extra.accuracy', '—', '1', '—']);
  });
});
