import { describe, expect, it } from 'vitest';
import { classificationMetrics, classificationReport } from '../../src/metrics/classification.js';
import { classificationMetricsRecord } from '../../src/metrics/record.js';
import {
  codeBlock,
  confusionMatrixTable,
  formatDuration,
  formatValue,
  markdownTable,
  nestHeadings,
  renderRunReport,
  type RunRecordForReport,
} from '../../src/report/markdown.js';

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
    record,
    metrics: {
      train: { best_epoch: 2, final_loss: 0.0123456789 },
      evaluate: {
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
      { title: 'Confusion matrix (test)', file: 'confusion-matrix-test.svg' },
      { title: 'Learning curves', file: 'plots/learning curves.svg' },
    ],
  });

  it('starts with the run summary', () => {
    expect(report.startsWith(`# Run 20261127-033512-123-demo

| field | value |
| --- | --- |
| spec | pipelines/demo.yaml |
| status | completed |
| started | 2026-11-27T03:35:12.123Z |
| duration | 1 min 05 s |
| seed | 42 |
| backend | wasm |
| node | v20.18.0 |
| fnd | 0.1.0 |
| platform | linux-x64 |
`)).toBe(true);
  });

  it('lists each stage\'s metrics, per-class scores, the confusion matrix and the classification report', () => {
    expect(report).toContain(`### train

| metric | value |
| --- | ---: |
| best_epoch | 2 |
| final_loss | 0.0123457 |
`);
    expect(report).toContain('| test.accuracy | 0.666667 |\n');
    expect(report).toContain('| test.loss | 0.25 |\n');
    expect(report).toContain(`#### Per class (test)

| class | label | precision | recall | f1 | support |
| --- | ---: | ---: | ---: | ---: | ---: |
| fake | 0 | 0.666667 | 0.666667 | 0.666667 | 3 |
| real | 1 | 0.666667 | 0.666667 | 0.666667 | 3 |
`);
    expect(report).toContain(`#### Confusion matrix (test)

| true / predicted | fake | real |
| --- | ---: | ---: |
| fake | 2 | 1 |
| real | 1 | 2 |
`);
    expect(report).toContain(`#### test.classification report

\`\`\`
              precision    recall  f1-score   support

        fake       0.67      0.67      0.67         3
`);
    // The label names appear as matrix headings, not as a raw JSON metric; empty stages are left out.
    expect(report).not.toContain('test.labels');
    expect(report).not.toContain('### save');
  });

  it('embeds the plots by relative link', () => {
    expect(report).toContain('### Confusion matrix (test)\n\n![Confusion matrix (test)](confusion-matrix-test.svg)\n');
    expect(report).toContain('![Learning curves](plots/learning%20curves.svg)');
  });

  it('nests the error analysis under its own section without repeating the title', () => {
    expect(report).toContain('## Error analysis\n\n**2 of 6 test examples misclassified**\n\n### Most confident mistakes\n');
    expect(report.match(/Error analysis/g)).toHaveLength(1);
  });

  it('shows timings and cache hits per stage', () => {
    expect(report).toContain(`## Stages

2 ran, 1 restored from cache (cache hits 1/3); time in stages 1 min 05 s.

| stage | plugin | status | time | signature | reason |
| --- | --- | --- | ---: | --- | --- |
| load-csv | load-csv | cached | 12 ms | abcdef012345 |  |
| train | train | ran | 1 min 01 s | 0123456789ab | param lr changed |
| evaluate | evaluate | ran | 4.3 s | fedcba987654 | input model changed |
`);
    expect(report).toContain('"lr": 0.00005');
  });

  it('puts the sections in reading order', () => {
    const lines = report.split('\n');
    const order = ['# Run', '## Metrics', '## Plots', '## Error analysis', '## Stages', '## Parameters'].map((h) =>
      lines.findIndex((line) => line === h || line.startsWith(`${h} `)),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('reports a failed run\'s error and leaves out empty sections', () => {
    const failed = renderRunReport({
      record: { ...record, status: 'failed', error: 'train: loss is NaN at step 17', stages: {}, params: {} },
      metrics: {},
      plots: [],
    });
    expect(failed).toContain('| status | failed |');
    expect(failed).toContain('**Error:** train: loss is NaN at step 17');
    expect(failed).toContain('## Stages\n\nNo stages ran.\n');
    for (const h of ['## Metrics', '## Plots', '## Error analysis', '## Parameters']) expect(failed).not.toContain(h);
  });
});

describe('markdown helpers', () => {
  it('escapes table cells', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 'line\nbreak']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | line<br>break |\n');
  });

  it('formats values and durations', () => {
    expect(formatValue(3)).toBe('3');
    expect(formatValue(0.99985151)).toBe('0.999852');
    expect(formatValue(5e-5)).toBe('0.00005');
    expect(formatValue(null)).toBe('—');
    expect(formatValue([1, 2])).toBe('[1,2]');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(3_725_000)).toBe('1 h 02 min');
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
