import { describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import compareCommand from '../../src/cli/commands/compare.js';
import diffCommand from '../../src/cli/commands/diff.js';
import { pairedBootstrap, scoreOf } from '../../src/compare/bootstrap.js';
import { comparePredictions, parsePredictions } from '../../src/compare/predictions.js';
import { aggregateOverSeeds } from '../../src/compare/seeds.js';
import { mean, sampleStd } from '../../src/compare/stats.js';
import { compareRuns } from '../../src/compare/table.js';
import { parseFilter } from '../../src/compare/filter.js';
import { classificationMetrics } from '../../src/metrics/classification.js';
import type { RunDiff } from '../../src/runs/diff.js';
import type { RunMetrics } from '../../src/runs/record.js';
import { makeRecord, runCommand, tempDir, writeRun } from '../runs/helpers.js';

/** 40 examples: A is wrong on 0–3, B on 2–11, so 8 flip right → wrong (4–11) and 2 wrong → right (0, 1). */
function predictions(wrong: (i: number) => boolean, withTitles = false): string {
  return Array.from({ length: 40 }, (_, i) => {
    const label = i % 2;
    const predicted = wrong(i) ? 1 - label : label;
    const confidence = 0.5 + (i % 5) / 10;
    return JSON.stringify({ id: `Fake.csv:${i + 2}`, label, predicted, probabilities: [1 - confidence, confidence], confidence, ...(withTitles ? { title: `Headline number ${i}` } : {}) });
  }).join('\n');
}
const A_TEXT = predictions((i) => i < 4);
const B_TEXT = predictions((i) => i >= 2 && i < 12);

describe('paired bootstrap', () => {
  const a = parsePredictions(A_TEXT, 'a.jsonl');
  const b = parsePredictions(B_TEXT, 'b.jsonl');
  const truth = a.map((r) => r.label);

  it('point estimates are scikit-learn accuracy and weighted F1', () => {
    const predicted = b.map((r) => r.predicted);
    const reference = classificationMetrics(truth, predicted);
    const score = scoreOf(truth, predicted);
    expect(score.accuracy).toBe(0.75);
    expect(score.f1).toBeCloseTo(reference.weighted.f1, 12);
  });

  it('is deterministic for a seed, contains the observed difference, and changes with the seed', () => {
    const predA = a.map((r) => r.predicted);
    const predB = b.map((r) => r.predicted);
    const first = pairedBootstrap(truth, predA, predB, { resamples: 500, seed: 3 });
    const again = pairedBootstrap(truth, predA, predB, { resamples: 500, seed: 3 });
    expect(again).toEqual(first);
    expect(first.resamples).toBe(500);
    expect(first.level).toBe(0.95);
    const [accuracy, f1] = first.intervals;
    expect(accuracy!.metric).toBe('accuracy');
    expect(accuracy!.delta).toBeCloseTo(-0.15, 12);
    expect(f1!.metric).toBe('f1 (weighted)');
    for (const ci of first.intervals) {
      expect(ci.low).toBeLessThan(ci.delta);
      expect(ci.high).toBeGreaterThan(ci.delta);
    }
    // Paired: only the 10 discordant examples move the difference, which stays at or below zero here.
    expect(accuracy!.high).toBeLessThanOrEqual(0);
    const other = pairedBootstrap(truth, predA, predB, { resamples: 500, seed: 4 });
    expect(other.intervals).not.toEqual(first.intervals);
    // Identical predictions: every resample differs by exactly zero.
    expect(pairedBootstrap(truth, predA, predA, { resamples: 50 }).intervals[0]).toEqual({ metric: 'accuracy', delta: 0, low: 0, high: 0 });
  });

  it('counts flips exactly and lists examples of both directions', () => {
    const diff = comparePredictions(a, b, { split: 'test', examples: 3, labelNames: ['fake', 'real'], titles: new Map([['Fake.csv:6', 'A title']]) });
    expect(diff.paired).toBe(40);
    expect(diff.rightToWrong).toBe(8);
    expect(diff.wrongToRight).toBe(2);
    expect(diff.examples.map((e) => e.id)).toEqual(['Fake.csv:6', 'Fake.csv:7', 'Fake.csv:8', 'Fake.csv:2', 'Fake.csv:3']);
    expect(diff.examples[0]).toEqual({ id: 'Fake.csv:6', excerpt: 'A title', label: 'fake', a: { prediction: 'fake', confidence: 0.9 }, b: { prediction: 'real', confidence: 0.9 } });
    expect(diff.bootstrap!.resamples).toBe(1000);
    expect(diff.bootstrap!.seed).toBe(0);
    expect(diff.unpaired).toBeUndefined();
    const partial = comparePredictions(a.slice(0, 30), b, { split: 'test' });
    expect(partial.unpaired).toEqual({ a: 0, b: 10 });
  });

  it('refuses predictions whose labels disagree, and malformed lines with FILE:LINE', () => {
    const flipped = parsePredictions(A_TEXT.replace('"label":0', '"label":1'), 'x.jsonl');
    expect(() => comparePredictions(flipped, b, { split: 'test' })).toThrow('example "Fake.csv:2" has label 1 in run A but 0 in run B');
    expect(() => parsePredictions('{"id":"a","label":0,"predicted":1}\n{oops\n', 'p.jsonl')).toThrow(/^p\.jsonl:2:1: not valid JSON/);
  });
});

describe('fnd diff with predictions', () => {
  async function twoRuns(withPredictions: boolean) {
    const cwd = await tempDir();
    const runsDir = join(cwd, 'runs');
    const metrics: RunMetrics = { evaluate: { test: { accuracy: 0.9, labels: ['fake', 'real'] } } };
    await writeRun(runsDir, makeRecord({ id: '20261127-010000-000-demo', startedAt: '2026-11-27T01:00:00.000Z' }), metrics);
    await writeRun(runsDir, makeRecord({ id: '20261127-020000-000-demo', startedAt: '2026-11-27T02:00:00.000Z' }), { evaluate: { test: { accuracy: 0.75 } } });
    await writeFile(join(runsDir, '20261127-010000-000-demo', 'predictions-test.jsonl'), A_TEXT);
    if (withPredictions) {
      await writeFile(join(runsDir, '20261127-020000-000-demo', 'predictions-test.jsonl'), B_TEXT);
      await writeFile(join(runsDir, '20261127-020000-000-demo', 'misclassified.jsonl'), `${JSON.stringify({ id: 'Fake.csv:6', title: 'Senate passes the bill after a very long night of debate and amendments' })}\n`);
    }
    return cwd;
  }

  it('shows flips with titles and the bootstrap interval with its resample count and seed', async () => {
    const cwd = await twoRuns(true);
    const { code, stdout } = await runCommand(diffCommand, ['20261127-01', 'latest', '--bootstrap', '300', '--bootstrap-seed', '7'], cwd);
    expect(code).toBe(0);
    expect(stdout).toContain('Predictions (test)\n  40 examples in both runs: 8 right → wrong, 2 wrong → right\n  showing 7 of 10 flips');
    expect(stdout).toMatch(/Fake\.csv:6\s+Senate passes the bill after a very long night of debate an…\s+fake\s+fake \(0\.9\)\s+real \(0\.9\)/);
    expect(stdout).toContain('Paired bootstrap, B − A (test; 300 resamples, seed 7)');
    expect(stdout).toMatch(/accuracy\s+-0\.15\s+\[-0\.\d+, -0\.\d+\]/);
    const json = JSON.parse((await runCommand(diffCommand, ['20261127-01', 'latest', '--json'], cwd)).stdout) as RunDiff;
    expect(json.predictions![0]!.bootstrap!.resamples).toBe(1000);
    expect(json.predictions![0]!.rightToWrong).toBe(8);
    await expect(runCommand(diffCommand, ['20261127-01', 'latest', '--bootstrap', '0'], cwd)).rejects.toThrow('--bootstrap must be a whole number of at least 1, got "0"');
  });

  it('says in one line when a run has no predictions, and shows the rest', async () => {
    const cwd = await twoRuns(false);
    const { code, stdout } = await runCommand(diffCommand, ['20261127-01', 'latest'], cwd);
    expect(code).toBe(0);
    expect(stdout).toContain('Metrics');
    expect(stdout).toContain('predictions not compared: run B (20261127-020000-000-demo) has no predictions-test.jsonl\n');
    expect(stdout).not.toContain('Paired bootstrap');
  });
});

function entry(id: string, lr: number, seed: number, f1: number, loss: number) {
  const record = makeRecord({ id, seed, status: 'completed', params: { train: { learning_rate: lr, seed, optimizer: 'adamw' } } });
  return { id, record, metrics: { train: { loss }, evaluate: { test: { f1, accuracy: f1 + 0.01, confusion_matrix: [[1, 0], [0, 1]] } } } as RunMetrics };
}
const ENTRIES = [entry('r1', 2e-5, 1, 0.8, 0.3), entry('r2', 2e-5, 2, 0.9, 0.2), entry('r3', 5e-5, 1, 0.7, 0.5), entry('r4', 5e-5, 2, 0.85, 0.1)];

describe('compareRuns', () => {
  it('shows the varying params, sorts by test F1 by default and by loss ascending when asked', () => {
    const comparison = compareRuns(ENTRIES);
    expect(comparison.params).toEqual(['seed', 'train.learning_rate']);
    expect(comparison.sort).toEqual({ metric: 'evaluate.test.f1', descending: true });
    expect(comparison.rows.map((r) => r.entry.id)).toEqual(['r2', 'r4', 'r1', 'r3']);
    expect(comparison.metrics).toEqual(['evaluate.test.accuracy', 'evaluate.test.f1', 'train.loss']);
    const byLoss = compareRuns(ENTRIES, { sort: 'loss' });
    expect(byLoss.sort).toEqual({ metric: 'train.loss', descending: false });
    expect(byLoss.rows.map((r) => r.entry.id)).toEqual(['r4', 'r2', 'r1', 'r3']);
  });

  it('filters on params and metrics with numeric and string comparisons', () => {
    const ids = (filters: string[]) => compareRuns(ENTRIES, { filters }).rows.map((r) => r.entry.id);
    expect(ids(['train.learning_rate<5e-5'])).toEqual(['r2', 'r1']);
    expect(ids(['learning_rate>=5e-5', 'test.f1>0.8'])).toEqual(['r4']);
    expect(ids(['seed!=1'])).toEqual(['r2', 'r4']);
    expect(ids(['train.optimizer=adamw'])).toHaveLength(4);
    expect(ids(['train.optimizer=sgd'])).toEqual([]);
    expect(compareRuns(ENTRIES, { filters: ['test.f1<=0.8'] }).filteredOut).toBe(2);
    expect(parseFilter('a <= 3')).toEqual({ text: 'a <= 3', key: 'a', op: '<=', value: '3' });
  });

  it('names near keys for an unknown filter key or metric', () => {
    expect(() => compareRuns(ENTRIES, { filters: ['train.learning_rat<1'] })).toThrow(
      '--filter "train.learning_rat<1": unknown param or metric "train.learning_rat"; near names: train.learning_rate',
    );
    expect(() => compareRuns(ENTRIES, { sort: 'f2' })).toThrow(/--sort: unknown metric "f2"; near names: evaluate\.test\.f1/);
    expect(() => compareRuns(ENTRIES, { filters: ['lr~3'] })).toThrow('expected KEY OP VALUE');
  });

  it('aggregates over seeds within groups of the other params: mean ± sample std', () => {
    const seeds = aggregateOverSeeds(compareRuns(ENTRIES, { metrics: ['test.f1'] }))!;
    expect(seeds.seedParams).toEqual(['seed']);
    expect(seeds.groupParams).toEqual(['train.learning_rate']);
    expect(seeds.groups.map((g) => g.params)).toEqual([{ 'train.learning_rate': 2e-5 }, { 'train.learning_rate': 5e-5 }]);
    expect(seeds.groups[0]!.seeds).toEqual([1, 2]);
    expect(seeds.groups[0]!.metrics[0]!.values).toEqual([0.8, 0.9]);
    expect(seeds.groups[0]!.metrics[0]!.mean).toBeCloseTo(0.85, 12);
    expect(seeds.groups[0]!.metrics[0]!.std).toBeCloseTo(Math.SQRT2 * 0.05, 12);
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([1, 2, 3, 4])).toBe(Math.sqrt(5 / 3));
    expect(sampleStd([1])).toBeNaN();
    // Seeds only: one group.
    const onlySeeds = aggregateOverSeeds(compareRuns(ENTRIES.slice(0, 2)))!;
    expect(onlySeeds.groupParams).toEqual([]);
    expect(onlySeeds.groups).toHaveLength(1);
    expect(aggregateOverSeeds(compareRuns([ENTRIES[0]!, ENTRIES[2]!]))).toBeUndefined();
  });
});

describe('fnd compare', () => {
  async function project() {
    const cwd = await tempDir();
    const runsDir = join(cwd, 'runs');
    const hours = ['01', '02', '03', '04'];
    for (const [i, e] of ENTRIES.entries()) {
      await writeRun(runsDir, { ...e.record, id: `20261127-${hours[i]}0000-000-demo`, startedAt: `2026-11-27T${hours[i]}:00:00.000Z` }, e.metrics);
    }
    await mkdir(join(runsDir, 'sweep-demo-abc'), { recursive: true });
    await writeFile(
      join(runsDir, 'sweep-demo-abc', 'sweep.json'),
      JSON.stringify({ id: 'sweep-demo-abc', spec: 'demo.yaml', variants: [{ name: 'v1', sets: [], runId: '20261127-010000-000-demo', status: 'completed' }, { name: 'v2', sets: [], status: 'pending' }] }),
    );
    return cwd;
  }

  it('prints one sorted table with --md and --json, for runs or a sweep', async () => {
    const cwd = await project();
    const md = await runCommand(compareCommand, ['20261127-01', '20261127-02', '20261127-03', '--md', '--metrics', 'test.f1', '--filter', 'learning_rate<5e-5'], cwd);
    expect(md.stdout).toContain('| run | status | seed | evaluate.test.f1 |\n| --- | --- | --- | ---: |\n| 20261127-020000-000-demo | completed | 2 | 0.9 |\n| 20261127-010000-000-demo | completed | 1 | 0.8 |');
    expect(md.stdout).toContain('- 1 run left out by --filter');
    const json = JSON.parse((await runCommand(compareCommand, ['--sweep', 'sweep-demo', '--json'], cwd)).stdout);
    expect(json.rows.map((r: any) => r.id)).toEqual(['20261127-010000-000-demo']);
    expect(json.notes).toEqual(['not run yet (1): v2']);
  });

  it('refuses unknown and ambiguous runs and sweeps with one clear error', async () => {
    const cwd = await project();
    await expect(runCommand(compareCommand, ['20261127'], cwd)).rejects.toThrow(/run prefix "20261127" is ambiguous in runs\/: it matches 4 runs/);
    await expect(runCommand(compareCommand, ['nope'], cwd)).rejects.toThrow(/no run matches "nope" in runs\//);
    await expect(runCommand(compareCommand, ['--sweep', 'sweep-x'], cwd)).rejects.toThrow('no sweep matches "sweep-x" in runs/; sweeps there: sweep-demo-abc');
    await expect(runCommand(compareCommand, [], cwd)).rejects.toThrow('fnd compare needs runs to compare');
  });
});
