import { describe, expect, it } from 'vitest';
import { diffRuns } from '../../src/runs/diff.js';
import { flattenLeaves, sameValue } from '../../src/runs/flatten.js';
import { pickKeyMetrics } from '../../src/runs/key-metrics.js';
import { makeRecord, stage } from './helpers.js';

const a = {
  record: makeRecord({
    id: '20261127-010000-000-demo',
    status: 'completed',
    durationMs: 1500,
    params: {
      split: { seed: 1, ratios: [0.7, 0.15, 0.15] },
      train: { learning_rate: 3e-5, epochs: 3, schedule: { warmup: 0.1 } },
      clean: { patterns: ['reuters'] },
    },
    stages: { load: stage('ran', 's1', 10), train: stage('ran', 't1', 900), evaluate: stage('ran', 'e1', 50) },
  }),
  metrics: {
    train: { loss: 0.5, epochs_run: 3, curve: [0.9, 0.5] },
    evaluate: { test: { accuracy: 0.875, f1: 0.75, label: 'fake' }, validation: { accuracy: 0.5 } },
  },
};

const b = {
  record: makeRecord({
    id: '20261127-020000-000-demo',
    status: 'completed',
    durationMs: 800,
    seed: 7,
    params: {
      split: { seed: 1, ratios: [0.7, 0.15, 0.15] },
      train: { learning_rate: 5e-5, epochs: 3, schedule: { warmup: 0.1 }, dropout: 0.1 },
    },
    stages: { load: stage('cached', 's1', 1), train: stage('ran', 't2', 1000), evaluate: stage('ran', 'e2', 40), report: stage('ran', 'r', 5) },
  }),
  metrics: {
    train: { loss: 0.25, epochs_run: 3, curve: [0.9, 0.25] },
    evaluate: { test: { accuracy: 0.9375, f1: 0.5, label: 'fake' } },
    report: { pages: 2 },
  },
};

describe('diffRuns', () => {
  const diff = diffRuns(a, b);

  it('summarises both runs', () => {
    expect(diff.a).toEqual({ id: a.record.id, spec: 'pipelines/demo.yaml', specName: 'demo', status: 'completed', startedAt: a.record.startedAt, durationMs: 1500 });
    expect(diff.b.id).toBe(b.record.id);
  });

  it('lists only the params that differ, flattened, seed first', () => {
    expect(diff.params).toEqual([
      { path: 'seed', a: 42, b: 7, change: 'different' },
      { path: 'train.learning_rate', a: 3e-5, b: 5e-5, change: 'different' },
      { path: 'clean.patterns', a: ['reuters'], change: 'only-a' },
      { path: 'train.dropout', b: 0.1, change: 'only-b' },
    ]);
  });

  it('lists every metric of either run with exact deltas', () => {
    expect(diff.metrics).toEqual([
      { path: 'train.loss', a: 0.5, b: 0.25, change: 'different', delta: -0.25 },
      { path: 'train.epochs_run', a: 3, b: 3, change: 'same', delta: 0 },
      { path: 'train.curve', a: [0.9, 0.5], b: [0.9, 0.25], change: 'different', delta: null },
      { path: 'evaluate.test.accuracy', a: 0.875, b: 0.9375, change: 'different', delta: 0.0625 },
      { path: 'evaluate.test.f1', a: 0.75, b: 0.5, change: 'different', delta: -0.25 },
      { path: 'evaluate.test.label', a: 'fake', b: 'fake', change: 'same', delta: null },
      { path: 'evaluate.validation.accuracy', a: 0.5, change: 'only-a', delta: null },
      { path: 'report.pages', b: 2, change: 'only-b', delta: null },
    ]);
  });

  it('says which stages ran or were cached in each, and whether signatures match', () => {
    expect(diff.stages).toEqual([
      { stageId: 'load', a: 'ran', b: 'cached', sameSignature: true },
      { stageId: 'train', a: 'ran', b: 'ran', sameSignature: false },
      { stageId: 'evaluate', a: 'ran', b: 'ran', sameSignature: false },
      { stageId: 'report', b: 'ran', sameSignature: false },
    ]);
    expect(diff.predictions).toBeUndefined();
  });

  it('finds nothing to report between a run and itself', () => {
    const same = diffRuns(a, a);
    expect(same.params).toEqual([]);
    expect(same.metrics.every((m) => m.change === 'same')).toBe(true);
    expect(same.metrics.filter((m) => m.delta !== null).map((m) => m.delta)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('flattening and key metrics', () => {
  it('flattens objects to dotted paths, keeping arrays and empty objects as leaves', () => {
    expect(flattenLeaves({ a: { b: 1, c: [1, 2], d: {} }, e: null })).toEqual([
      { path: 'a.b', value: 1 },
      { path: 'a.c', value: [1, 2] },
      { path: 'a.d', value: {} },
      { path: 'e', value: null },
    ]);
    expect(sameValue({ x: 1, y: 2 }, { y: 2, x: 1 })).toBe(true);
    expect(sameValue(Number.NaN, null)).toBe(false);
  });

  it('picks test metrics before validation, accuracy before f1 before loss, at most four', () => {
    expect(pickKeyMetrics([a.metrics, b.metrics])).toEqual(['evaluate.test.accuracy', 'evaluate.test.f1', 'evaluate.validation.accuracy', 'train.loss']);
    expect(pickKeyMetrics([{ x: { f1: 'n/a', accuracy: 1 } }], 4)).toEqual(['x.accuracy']);
    expect(pickKeyMetrics([a.metrics], 2)).toEqual(['evaluate.test.accuracy', 'evaluate.test.f1']);
    expect(pickKeyMetrics([{ evaluate: { test: { accuracy: 1, per_class: { fake: { f1: 1 } }, loss: 0.1 }, validation: { accuracy: 1 } } }])).toEqual([
      'evaluate.test.accuracy',
      'evaluate.test.loss',
      'evaluate.validation.accuracy',
    ]);
  });
});

describe('prediction section (extension point for issue 6)', () => {
  it('is rendered when a later module attaches it to the diff', async () => {
    const { diffSections } = await import('../../src/cli/commands/diff.js');
    const { renderText } = await import('../../src/cli/format/sections.js');
    const diff = diffRuns(a, b);
    diff.predictions = [
      {
        split: 'test',
        paired: 300,
        rightToWrong: 4,
        wrongToRight: 9,
        examples: [{ id: 'Fake.csv:17', excerpt: 'Senator says', label: 'fake', a: { prediction: 'real', confidence: 0.61 }, b: { prediction: 'fake', confidence: 0.93 } }],
        bootstrap: { resamples: 1000, seed: 1, level: 0.95, intervals: [{ metric: 'accuracy', delta: 0.0167, low: -0.01, high: 0.04 }] },
      },
    ];
    const text = renderText(diffSections(diff));
    expect(text).toContain('Predictions (test)\n  300 examples in both runs: 4 right → wrong, 9 wrong → right\n');
    expect(text).toContain('Fake.csv:17  Senator says  fake   real (0.61)  fake (0.93)');
    expect(text).toContain('Paired bootstrap, B − A (test; 1000 resamples, seed 1)');
    expect(text).toMatch(/accuracy\s+\+0\.0167\s+\[-0\.01, \+0\.04\]/);
  });
});
