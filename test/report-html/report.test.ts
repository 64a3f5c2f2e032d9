import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

    const shot = join(project, 'sweep-report.png');
    const page = await openReport(file, shot);
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([]);
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
    expect(single.headings).toEqual(['Metrics', 'Learning curves', 'Confusion matrices', 'Params', 'report.md']);
    // Learning curves, and the test and validation confusion matrices.
    expect(single.svgCount).toBe(3);
    expect(existsSync(join(project, 'run-report.png'))).toBe(true);

    const unknown = await fnd(project, ['report', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: no run matches "nope" in runs\//);
  });
});
