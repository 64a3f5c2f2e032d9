/**
 * One implementation per fact: a learning rate reads the same in every output fnd writes, and
 * each formatter, table renderer, canonical JSON and run-status type is defined exactly once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisonSections } from '../../src/cli/commands/compare.js';
import { diffSections } from '../../src/cli/commands/diff.js';
import { renderMarkdown, renderText } from '../../src/cli/format/sections.js';
import { compareRuns } from '../../src/compare/table.js';
import { formatNumber } from '../../src/format/number.js';
import { explainDifference } from '../../src/hash/explain.js';
import { renderComparisonHtml, renderRunHtml } from '../../src/report/html.js';
import { renderRunReport } from '../../src/report/markdown.js';
import { diffRuns } from '../../src/runs/diff.js';
import { progressMessage } from '../../src/training/progress.js';
import { formatSetValue } from '../../src/spec/matrix.js';
import { makeRecord, stage, tempDir } from '../runs/helpers.js';

const root = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('a learning rate reads the same everywhere', () => {
  const LR_A = 3e-5;
  const LR_B = 5e-5;
  const a = makeRecord({ id: '20261127-010000-000-demo', status: 'completed', params: { train: { learning_rate: LR_A } }, stages: { train: stage('ran', 'a'.repeat(64), 10, 'train') } });
  const b = makeRecord({ id: '20261127-020000-000-demo', status: 'completed', params: { train: { learning_rate: LR_B } }, stages: { train: stage('ran', 'b'.repeat(64), 10, 'train') } });
  const metrics = { evaluate: { test: { accuracy: 0.9, f1: 0.8 } } };

  it('as 3e-05 in status, diff, compare, report.md, the HTML reports, sweep variant names and the progress line', async () => {
    const expected = '3e-05';
    expect(formatNumber(LR_A)).toBe(expected);
    const details = (lr: number) => ({ plugin: 'train', version: '1', code: 'c', params: { learning_rate: lr }, inputs: {}, environment: {} });
    expect(explainDifference(details(LR_B), details(LR_A))).toBe(`param learning_rate changed: 5e-05 → ${expected}`);

    const diff = diffRuns({ record: a, metrics }, { record: b, metrics });
    expect(renderText(diffSections(diff))).toMatch(new RegExp(`train\\.learning_rate\\s+${expected}\\s+5e-05`));
    expect(renderMarkdown(diffSections(diff))).toContain(`| train.learning_rate | ${expected} | 5e-05 |`);

    const comparison = compareRuns([{ id: a.id, record: a, metrics }, { id: b.id, record: b, metrics }]);
    expect(renderText(comparisonSections(comparison))).toMatch(new RegExp(`\\s${expected}\\s`));

    expect(renderRunReport({ record: a, metrics, plots: [] })).toContain(`| train | learning_rate | ${expected} |`);
    const dir = await tempDir();
    expect(await renderRunHtml({ id: a.id, record: a, metrics, dir })).toContain(`<td>learning_rate</td><td>${expected}</td>`);
    expect(await renderComparisonHtml({ title: 't', comparison, runs: [] })).toContain(`<td>${expected}</td>`);

    expect(formatSetValue(LR_A)).toBe(expected);
    expect(progressMessage({ epoch: 1, epochs: 1, loss: 1, lr: LR_A, examplesPerSecond: 1, etaSeconds: 1 })).toContain(`lr ${expected} `);
  });
});

describe('each formatter exists once', () => {
  const files = [...sources(join(root, 'src')), ...sources(join(root, 'stages'))].map((file) => ({ file: relative(root, file), text: readFileSync(file, 'utf8') }));

  /** Files that define `name` as a function, an arrow function or a type. */
  function definitions(pattern: RegExp): string[] {
    return files.filter(({ text }) => pattern.test(text)).map(({ file }) => file);
  }

  it.each([
    ['formatNumber', /(^|\n)export function formatNumber\(/, ['src/format/number.ts']],
    ['formatValue', /function formatValue\(/, ['src/format/number.ts']],
    ['formatDuration', /function formatDuration\(/, ['src/format/duration.ts']],
    ['markdownTable', /function markdownTable\(/, ['src/format/table.ts']],
    ['textTable', /function textTable\(/, ['src/format/table.ts']],
    ['canonicalJson', /function canonicalJson\(/, ['src/hash/canonical.ts']],
    ['RunStatus', /type RunStatus\s*=/, ['src/runs/record.ts']],
    ['truncate', /function truncate\(/, ['src/format/text.ts']],
  ])('%s', (_name, pattern, where) => {
    expect(definitions(pattern)).toEqual(where);
  });

  it('rounds numbers for display only in src/format (toPrecision / toExponential)', () => {
    expect(definitions(/\.(toPrecision|toExponential)\(/)).toEqual(['src/format/number.ts']);
  });
});
