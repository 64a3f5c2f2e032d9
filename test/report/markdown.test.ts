import { describe, expect, it } from 'vitest';
import { classificationMetrics, classificationReport } from '../../src/metrics/classification.js';
import { classificationMetricsRecord } from '../../src/metrics/record.js';
import { markdownTable } from '../../src/format/table.js';
import { codeBlock, confusionMatrixTable, nestHeadings, renderRunReport, type RunRecordForReport } from '../../src/report/markdown.js';
import { findHeadline, normalizeRows } from '../../src/report/headline.js';

const record: RunRecordForReport = {
  id: '20261127-033512-123-demo',
  spec: 'pipelines/demo.yaml',
  specName: 'demo',
  status: 'completed',
  startedAt: '2026-11-27T03:35:12.123Z',
  durationMs: 65_432,
  stages: {
    'load-csv': { plugin: 'load-csv', status: 'cached', signature: 'abcdef0123456789abcdef', durationMs: 12 },
    train: { plugin: 'train', status: 'ran', signature: '0123456789abcdef0123', durationMs: 61_000, reason: 'param lr changed' },
    evaluate: { plugin: 'evaluate', status: 'ran', signature: 'fedcba9876543210', durationMs: 4321, reason: 'input model changed' },
  },
  params: { train: { lr: 5e-5, epochs: 3 } },
  seed: 42,
  vars: {},
  environment: { node: 'v20.18.0', fnd: '0.1.0', backend: 'wasm', platform: 'linux-x64' },
};

const yTrue = [0, 0, 1, 1, 1, 0];
const yPred = [0, 1, 1, 1, 0, 0];

describe('renderRunReport', () => {
  const metrics = classificationMetrics(yTrue, yPred, { labelNames: { '0': 'fake', '1': 'real' } });
  const report = renderRunReport({
    record: { ...record, overrides: ['train.with.lr=5e-05'], name: 'baseline', tags: ['demo'] },
    metrics: {
      train: {
        best_epoch: 2,
        final_loss: 0.0123456789,
        epochs: [
          { epoch: 1, train_loss: 0.61, accuracy: 0.5, f1: 0.4 },
          { epoch: 2, train_loss: 0.3, accuracy: 0.75, f1: 0.7 },
        ],
      },
      evaluate: {
        validation: { accuracy: 0.5, loss: 0.7 },
        test: {
          ...classificationMetricsRecord(metrics),
          loss: 0.25,
          classification_report: classificationReport(yTrue, yPred, { labelNames: ['fake', 'real'] }),
        },
      },
      save: {},
    },
    errorAnalysisMarkdown: '# Error analysis\n\n**2 of 6 test examples misclassified**\n\n## Most confident mistakes\n\n| # | id |\n| ---: | --- |\n| 1 | t5 |\n',
    plots: [
      { title: 'Confusion test', file: 'confusion-test.svg' },
      { title: 'Learning curves', file: 'learning-curves.svg' },
      { title: 'Extra', file: 'plots/an extra.svg' },
    ],
  });

  it('starts with the title, one line of facts and what the user set', () => {
    expect(report.startsWith(`# Run 20261127-033512-123-demo

\`pipelines/demo.yaml\` · completed · started 2026-11-27 03:35:12 UTC · 1 min 05 s · seed 42

name **baseline** · tags \`demo\` · overrides \`--set train.with.lr=5e-05\`

## Result

Scores on the test split (stage evaluate).

| accuracy | F1 (weighted) | precision (weighted) | recall (weighted) | F1 (macro) | loss | examples |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| 0.666667 | 0.666667 | 0.666667 | 0.666667 | 0.666667 | 0.25 | 6 |
`)).toBe(true);
  });

  it('leads with per-class scores, the confusion matrix and the learning curves with the epochs as a table', () => {
    expect(report).toContain(`### Per class (test)

| class | precision | recall | F1 | support |
| --- | ---: | ---: | ---: | ---: |
| fake | 0.666667 | 0.666667 | 0.666667 | 3 |
| real | 0.666667 | 0.666667 | 0.666667 | 3 |
`);
    expect(report).toContain(`### Confusion matrix (test)

Rows are the true classes, columns the predicted ones; counts of examples.

| true / predicted | fake | real |
| --- | ---: | ---: |
| fake | 2 | 1 |
| real | 1 | 2 |

![Confusion test](confusion-test.svg)
`);
    // Two classes: the counts say it all, no normalised copy.
    expect(report).not.toContain('Row-normalised');
    expect(report).toContain(`### Learning curves

![Learning curves](learning-curves.svg)

| epoch | train loss | eval accuracy | eval f1 |
| ---: | ---: | ---: | ---: |
| 1 | 0.61 | 0.5 | 0.4 |
| 2 | 0.3 | 0.75 | 0.7 |
`);
    expect(report).not.toMatch(/\[\{|\{"/); // no JSON blob anywhere
  });

  it('puts the sections in reading order: result first, details after', () => {
    const lines = report.split('\n');
    const order = ['# Run', '## Result', '## Error analysis', '## Stages', '## Stage details', '## Other plots', '## Run details', '## Parameters'].map((h) =>
      lines.findIndex((line) => line === h || line.startsWith(`${h} `)),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('keeps the stage details that the headline did not show, without repeating it', () => {
    expect(report).toContain(`### train

| metric | value |
| --- | ---: |
| best_epoch | 2 |
| final_loss | 0.0123457 |
`);
    expect(report).toContain('| validation.accuracy | 0.5 |\n');
    expect(report).toContain(`#### test.classification report

\`\`\`
              precision    recall  f1-score   support

        fake       0.67      0.67      0.67         3
`);
    expect(report).not.toContain('test.accuracy');
    expect(report).not.toContain('test.labels');
    expect(report).not.toContain('### save');
    expect(report.match(/\| fake \| 2 \| 1 \|/g)).toHaveLength(1);
  });

  it('links the other plots, nests the error analysis and shows timings and cache hits', () => {
    expect(report).toContain('## Other plots\n\n### Extra\n\n![Extra](plots/an%20extra.svg)\n');
    expect(report).toContain('## Error analysis\n\n**2 of 6 test examples misclassified**\n\n### Most confident mistakes\n');
    expect(report.match(/Error analysis/g)).toHaveLength(1);
    expect(report).toContain(`## Stages

2 ran, 1 restored from cache (cache hits 1/3); time in stages 1 min 05 s.

| stage | plugin | status | time | signature | reason |
| --- | --- | --- | ---: | --- | --- |
| load-csv | load-csv | cached | 12 ms | abcdef012345 |  |
| train | train | ran | 1 min 01 s | 0123456789ab | param lr changed |
| evaluate | evaluate | ran | 4.3 s | fedcba987654 | input model changed |
`);
  });

  it('lists params as a table with numbers printed as everywhere else', () => {
    expect(report).toContain(`## Parameters

Each stage's params after defaults.

| stage | param | value |
| --- | --- | --- |
| train | lr | 5e-05 |
| train | epochs | 3 |
`);
    expect(report).toContain('| backend | wasm |');
  });

  it('reports a failed run\'s error and leaves out empty sections', () => {
    const failed = renderRunReport({
      record: { ...record, status: 'failed', error: 'train: loss is NaN at step 17', stages: {}, params: {} },
      metrics: {},
      plots: [],
    });
    expect(failed).toContain('· failed ·');
    expect(failed).toContain('**Error:** train: loss is NaN at step 17');
    expect(failed).toContain('## Stages\n\nNo stages ran.\n');
    for (const h of ['## Result', '## Stage details', '## Other plots', '## Error analysis', '## Parameters']) expect(failed).not.toContain(h);
  });
});

describe('six-class report (LIAR-shaped)', () => {
  const names = ['pants-fire', 'false', 'barely-true', 'half-true', 'mostly-true', 'true'];
  // 5 examples per class; class c is predicted right for the first (c % 4) + 1 of them, else as the next class.
  const truth: number[] = [];
  const predicted: number[] = [];
  for (let c = 0; c < 6; c++) {
    for (let i = 0; i < 5; i++) {
      truth.push(c);
      predicted.push(i < (c % 4) + 1 ? c : (c + 1) % 6);
    }
  }
  const m = classificationMetrics(truth, predicted, { labelNames: Object.fromEntries(names.map((n, i) => [String(i), n])) });
  const metrics = { evaluate: { test: { ...classificationMetricsRecord(m), loss: 1.25 } } };
  const report = renderRunReport({ record, metrics, plots: [] });

  it('shows counts and the row-normalised matrix, named by the classes', () => {
    expect(report).toContain(`| true / predicted | pants-fire | false | barely-true | half-true | mostly-true | true |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| pants-fire | 1 | 4 | 0 | 0 | 0 | 0 |
| false | 0 | 2 | 3 | 0 | 0 | 0 |
| barely-true | 0 | 0 | 3 | 2 | 0 | 0 |
| half-true | 0 | 0 | 0 | 4 | 1 | 0 |
| mostly-true | 0 | 0 | 0 | 0 | 1 | 4 |
| true | 3 | 0 | 0 | 0 | 0 | 2 |
`);
    expect(report).toContain(`Row-normalised: the share of each true class predicted as each class (the diagonal is its recall).

| true / predicted | pants-fire | false | barely-true | half-true | mostly-true | true |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| pants-fire | 0.2 | 0.8 | 0 | 0 | 0 | 0 |
| false | 0 | 0.4 | 0.6 | 0 | 0 | 0 |
| barely-true | 0 | 0 | 0.6 | 0.4 | 0 | 0 |
| half-true | 0 | 0 | 0 | 0.8 | 0.2 | 0 |
| mostly-true | 0 | 0 | 0 | 0 | 0.2 | 0.8 |
| true | 0.6 | 0 | 0 | 0 | 0 | 0.4 |
`);
    // The diagonal of the normalised matrix is each class's recall.
    const headline = findHeadline(metrics)!;
    expect(headline.matrix!.normalized!.map((row, i) => row[i])).toEqual(m.perClass.map((c) => c.recall));
    expect(report).toContain('| accuracy | F1 (weighted) |');
    expect(report).toContain('| 0.433333 |');
    expect(report.indexOf('Row-normalised')).toBeLessThan(report.indexOf('## Stages'));
  });

  it('normalises rows, leaving a class absent from the split at zero', () => {
    expect(normalizeRows([[1, 3], [0, 0]])).toEqual([[0.25, 0.75], [0, 0]]);
  });
});

describe('markdown helpers', () => {
  it('escapes table cells', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 'line\nbreak']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | line<br>break |');
  });

  it('renders a confusion matrix table', () => {
    expect(confusionMatrixTable([[5, 1], [0, 4]], ['fake', 'real'])).toBe(
      '| true / predicted | fake | real |\n| --- | ---: | ---: |\n| fake | 5 | 1 |\n| real | 0 | 4 |\n',
    );
  });

  it('fences code that itself holds backticks', () => {
    expect(codeBlock('a ``` b\n')).toBe('````\na ``` b\n````\n');
  });

  it('nests headings below a level, leaving code fences alone', () => {
    expect(nestHeadings('## A\n```\n# not a heading\n```\n### B', 3)).toBe('### A\n```\n# not a heading\n```\n#### B');
  });
});
