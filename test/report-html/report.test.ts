import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNumber } from '../../src/format/number.js';
import { classificationMetrics } from '../../src/metrics/classification.js';
import { classificationMetricsRecord } from '../../src/metrics/record.js';
import { renderRunHtml } from '../../src/report/html.js';
import { makeRecord, stage, tempDir, writeRun } from '../runs/helpers.js';
import { SWEEP_PLUGINS, SWEEP_SPEC, fnd, makeProject } from '../sweep/project.js';
import { openReport } from './browser.js';

describe('fnd report', () => {
  it('writes self-contained HTML pages for a sweep and a run that render in headless Chromium', async () => {
    const project = makeProject({ ...SWEEP_PLUGINS, 'sweep.yaml': SWEEP_SPEC });
    expect((await fnd(project, ['sweep', 'sweep.yaml', '-j', '3'])).code).toBe(0);
    const runs = join(project, 'runs');
    const sweepId = readdirSync(runs).find((name) => name.startsWith('sweep-'))!;

    const sweepReport = await fnd(project, ['report', sweepId.slice(0, 10)]);
    expect(sweepReport.stderr).toBe('');
    expect(sweepReport.stdout).toBe(`wrote runs/${sweepId}/report.html`);
    const file = join(runs, sweepId, 'report.html');
    const html = readFileSync(file, 'utf8');
    // Self-contained: no scripts, no links to anything outside the page.
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
    // Every chart's ids are unique in the page.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html).toContain('0.52 ± 0.01');
    // Legends name each variant by the params that vary, in full: never cut to "quality=0.…".
    for (const quality of ['0.5', '0.7']) for (const seed of [1, 2, 3]) expect(html).toContain(`>seed=${seed} quality=${quality}</text>`);
    expect(html).not.toMatch(/<text[^>]*>[^<]*…<\/text>/);
    // Param columns by short name, the full path on hover; every table scrolls inside the page.
    expect(html).toContain('<th title="evaluate.quality">quality</th>');
    expect(html.match(/<table>/g)!.length).toBe(html.match(/<div class="scroll"><table>/g)!.length);

    const shot = join(project, 'sweep-report.png');
    const page = await openReport(file, shot);
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.pageWidth).toBe(1280);
    expect(page.headings).toEqual(['Runs (6)', 'Over seeds', 'Metric against parameters', 'Learning curves', 'Confusion matrices']);
    // 1 metric-vs-param chart, 2 learning-curve charts, 6 confusion matrices.
    expect(page.svgCount).toBe(9);
    expect(page.visibleSvgs).toBe(9);
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    const runId = readdirSync(runs).filter((name) => !name.startsWith('sweep-')).sort()[0]!;
    const out = join(project, 'out', 'one.html');
    const runReport = await fnd(project, ['report', runId, '--out', 'out/one.html']);
    expect(runReport.code).toBe(0);
    const single = await openReport(out, join(project, 'run-report.png'));
    expect(single.consoleErrors).toEqual([]);
    expect(single.requests).toEqual([]);
    // The result first: test scores and confusion matrix, then learning curves; details after.
    expect(single.headings).toEqual(['Result', 'Learning curves', 'Stages', 'Stage details', 'Parameters', 'report.md']);
    // The test confusion matrix (Result), learning curves, the validation confusion matrix (details).
    expect(single.svgCount).toBe(3);
    expect(single.pageWidth).toBe(1280);
    expect(existsSync(join(project, 'run-report.png'))).toBe(true);

    const unknown = await fnd(project, ['report', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: no run matches "nope" in runs\//);
  });
});

describe('HTML run report, six classes', () => {
  it('leads with the scores and a row-normalised confusion matrix next to the counts', async () => {
    const names = ['pants-fire', 'false', 'barely-true', 'half-true', 'mostly-true', 'true'];
    const truth: number[] = [];
    const predicted: number[] = [];
    for (let c = 0; c < 6; c++) for (let i = 0; i < 5; i++) {
      truth.push(c);
      predicted.push(i < (c % 4) + 1 ? c : (c + 1) % 6);
    }
    const m = classificationMetrics(truth, predicted, { labelNames: Object.fromEntries(names.map((n, i) => [String(i), n])) });
    const runsDir = join(await tempDir(), 'runs');
    const record = await writeRun(
      runsDir,
      makeRecord({ id: '20261201-000000-000-liar', stages: { evaluate: stage('ran', 'e'.repeat(64), 1000, 'evaluate') }, overrides: ['vars.max_length=64'] }),
      { evaluate: { test: { ...classificationMetricsRecord(m), loss: 1.25 } } },
    );
    const dir = join(runsDir, record.id);
    const html = await renderRunHtml({ id: record.id, record, metrics: { evaluate: { test: { ...classificationMetricsRecord(m), loss: 1.25 } } }, dir });
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const page = await openReport(file, join(dir, 'report.png'));
    expect(page.consoleErrors).toEqual([]);
    expect(page.headings).toEqual(['Result', 'Stages', 'Stage details', 'Parameters']);
    expect(page.pageWidth).toBe(1280);
    expect(page.svgCount).toBe(1);
    const [scores, perClass, normalised] = page.tables;
    expect(scores).toEqual([
      ['accuracy', 'F1 (weighted)', 'precision (weighted)', 'recall (weighted)', 'F1 (macro)', 'loss', 'examples'],
      ['0.433333', ...[m.weighted.f1, m.weighted.precision, m.weighted.recall, m.macro.f1].map((v) => formatNumber(v)), '1.25', '30'],
    ]);
    expect(perClass![1]).toEqual(['pants-fire', '0.25', '0.2', formatNumber(m.perClass[0]!.f1), '5']);
    expect(normalised).toEqual([
      ['true / predicted', ...names],
      ['pants-fire', '0.2', '0.8', '0', '0', '0', '0'],
      ['false', '0', '0.4', '0.6', '0', '0', '0'],
      ['barely-true', '0', '0', '0.6', '0.4', '0', '0'],
      ['half-true', '0', '0', '0', '0.8', '0.2', '0'],
      ['mostly-true', '0', '0', '0', '0', '0.2', '0.8'],
      ['true', '0.6', '0', '0', '0', '0', '0.4'],
    ]);
    // Shaded by share: the 0.8 cells darker than the 0.2 ones.
    expect(html).toContain('style="background: rgba(33, 102, 172, 0.600)">0.8</td>');
    expect(html).toContain('style="background: rgba(33, 102, 172, 0.150)">0.2</td>');
    // The counts heatmap names all six classes.
    for (const name of names) expect(html).toContain(`>${name}</text>`);
  });
});
