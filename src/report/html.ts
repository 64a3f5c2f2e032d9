/**
 * `fnd report`: one self-contained HTML page for a run or a group of runs (a sweep): the
 * comparison table, each metric against each varying numeric param, overlaid learning curves and
 * the confusion matrices. Charts are the run plots' vega-lite SVGs, inlined; no scripts, no URLs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aggregateOverSeeds, isSeedParam } from '../compare/seeds.js';
import type { Comparison, ComparisonRow } from '../compare/table.js';
import { formatNumber, formatValue, MISSING } from '../format/number.js';
import type { RunMetrics, RunRecord } from '../runs/record.js';
import { confusionMatrixSvg, learningCurvesSvg, lineChartSvg, scatterSvg, type ChartPoint } from '../plots/charts.js';
import { formatDuration } from '../format/duration.js';
import { flattenLeaves } from '../runs/flatten.js';
import { findEpochs, findHeadline, HEADLINE_KEYS, type Headline } from './headline.js';
import { confusionMatrices, readHistory, type RunHistory } from './html-data.js';
import { escapeHtml, htmlPage, htmlTable, type HtmlCell, type HtmlSection } from './html-page.js';
import { figure } from './html-svg.js';
import { runLegend, shortParamNames } from './legend.js';
import { epochColumnTitle } from './markdown.js';

export interface ReportRun {
  id: string;
  dir: string;
  record: RunRecord;
  metrics: RunMetrics;
}

export interface HtmlReportInput {
  title: string;
  /** Lines under the title (spec, sweep id, notes). */
  meta?: string[];
  comparison: Comparison;
  runs: ReportRun[];
}

/**
 * A run's name in legends: the values of the params that vary across the compared runs
 * (`lr=2e-05 seed=1`), else its variant, else its id.
 */
function labelOf(row: ComparisonRow, comparison: Comparison): string {
  return runLegend(comparison.params, row.params, row.entry.record.variant ?? row.entry.id);
}

/** Param columns by their short names (the full path on hover), so a sweep's table fits the page. */
function paramHeaders(comparison: Comparison): HtmlCell[] {
  const names = shortParamNames(comparison.params);
  return comparison.params.map((path) => ({ text: names.get(path) ?? path, title: path }));
}

function comparisonTable(comparison: Comparison): string {
  const hasVariant = comparison.rows.some((row) => row.entry.record.variant !== undefined);
  const columns: (string | HtmlCell)[] = ['run', ...(hasVariant ? ['variant'] : []), 'status', ...paramHeaders(comparison), ...comparison.metrics];
  const firstMetric = columns.length - comparison.metrics.length;
  const numeric = new Set(comparison.metrics.map((_, i) => firstMetric + i));
  const rows = comparison.rows.map((row) => [
    row.entry.id,
    ...(hasVariant ? [row.entry.record.variant ?? MISSING] : []),
    row.entry.record.status,
    ...comparison.params.map((path) => formatValue(row.params.get(path))),
    ...comparison.metrics.map((metric) => formatValue(row.metrics.get(metric))),
  ]);
  const sorted = comparison.sort ? `<p>Sorted by <code>${escapeHtml(comparison.sort.metric)}</code> (${comparison.sort.descending ? 'higher' : 'lower'} is better).</p>` : '';
  return sorted + htmlTable(columns, rows, numeric);
}

function seedTable(comparison: Comparison): HtmlSection | undefined {
  const seeds = aggregateOverSeeds(comparison);
  if (!seeds) return undefined;
  const metricNames = seeds.groups[0]?.metrics.map((m) => m.metric) ?? [];
  const short = shortParamNames(seeds.groupParams);
  const columns: (string | HtmlCell)[] = [...seeds.groupParams.map((path) => ({ text: short.get(path) ?? path, title: path })), 'n', 'seeds', ...metricNames.map((m) => `${m} (mean ± std)`), ...metricNames.map((m) => `${m} per seed`)];
  const rows = seeds.groups.map((group) => [
    ...seeds.groupParams.map((path) => formatValue(group.params[path])),
    String(group.runIds.length),
    group.seeds.map(formatValue).join(', '),
    ...group.metrics.map((m) => (m.values.length === 0 ? MISSING : m.values.length === 1 ? formatNumber(m.mean) : `${formatNumber(m.mean)} ± ${formatNumber(m.std)}`)),
    ...group.metrics.map((m) => m.values.map((v) => formatNumber(v)).join(', ')),
  ]);
  return { title: 'Over seeds', html: `<p>Mean ± sample standard deviation (n − 1) over seeds (${escapeHtml(seeds.seedParams.join(', '))}).</p>${htmlTable(columns, rows)}` };
}

/** Charts are numbered in page order so their SVG ids never collide. */
class Figures {
  private count = 0;
  readonly items: string[] = [];
  add(caption: string, svg: string): void {
    this.count += 1;
    this.items.push(figure(caption, svg, `c${this.count}`));
  }
  html(): string {
    return `<div class="charts">\n${this.items.join('\n')}\n</div>`;
  }
}

function isLogScale(path: string, values: readonly number[]): boolean {
  if (values.some((v) => v <= 0)) return false;
  return /learning_rate|(^|\.)lr$|weight_decay/.test(path) || Math.max(...values) / Math.min(...values) >= 100;
}

/** Sort metric against every varying numeric param except seeds, coloured by the remaining params. */
async function metricVsParamCharts(comparison: Comparison, figures: Figures): Promise<void> {
  const metric = comparison.sort?.metric ?? comparison.metrics[0];
  if (!metric) return;
  const numericParams = comparison.params.filter(
    (path) => !isSeedParam(path) && comparison.rows.every((row) => typeof row.params.get(path) === 'number'),
  );
  for (const param of numericParams) {
    const others = comparison.params.filter((p) => p !== param && !isSeedParam(p));
    const points: ChartPoint[] = [];
    for (const row of comparison.rows) {
      const y = row.metrics.get(metric);
      if (typeof y !== 'number' || !Number.isFinite(y)) continue;
      const series = others.length > 0 ? runLegend(others, row.params, '') : '';
      points.push({ x: row.params.get(param) as number, y, ...(series ? { series } : {}) });
    }
    if (points.length === 0) continue;
    const xs = points.map((p) => p.x);
    figures.add(
      `${metric} against ${param}`,
      await scatterSvg(points, { title: `${metric} vs ${param}`, xTitle: param, yTitle: metric, xLog: isLogScale(param, xs), seriesTitle: [...shortParamNames(others).values()].join(' ') || undefined }),
    );
  }
}

/** Training loss per step and the validation score per epoch, one line per run. */
async function overlaidCurves(comparison: Comparison, histories: Map<string, RunHistory>, figures: Figures): Promise<string[]> {
  const rows = comparison.rows;
  const seriesTitle = comparison.params.length > 0 ? 'Run' : 'Run (variant or id)';
  const loss: ChartPoint[] = [];
  const perEpoch: ChartPoint[] = [];
  const epochMetric = ['f1', 'accuracy', 'loss'].find((name) => [...histories.values()].some((h) => h.epochs.some((e) => name in e.metrics)));
  for (const row of rows) {
    const history = histories.get(row.entry.id);
    if (!history) continue;
    const series = labelOf(row, comparison);
    for (const s of history.steps) loss.push({ x: s.step, y: s.loss, series });
    if (epochMetric) for (const e of history.epochs) if (epochMetric in e.metrics) perEpoch.push({ x: e.epoch, y: e.metrics[epochMetric]!, series });
  }
  if (loss.length > 0) figures.add('Training loss per step', await lineChartSvg(loss, { title: 'Training loss', xTitle: 'Step', yTitle: 'Loss', seriesTitle }));
  if (perEpoch.length > 0) {
    figures.add(`Validation ${epochMetric} per epoch`, await lineChartSvg(perEpoch, { title: `Validation ${epochMetric}`, xTitle: 'Epoch', yTitle: epochMetric!, seriesTitle }));
  }
  const missing = rows.filter((row) => !histories.has(row.entry.id)).map((row) => labelOf(row, comparison));
  return missing.length > 0 && missing.length < rows.length ? [`no history.json in: ${missing.join(', ')}`] : [];
}

async function confusionFigures(comparison: Comparison, figures: Figures): Promise<void> {
  for (const row of comparison.rows) {
    const cm = confusionMatrices(row.entry.metrics)[0];
    if (cm !== undefined) figures.add(`${labelOf(row, comparison)}: ${cm.path}`, await confusionMatrixSvg(cm.matrix, cm.labels, `${cm.path}`));
  }
}

async function loadHistories(runs: readonly ReportRun[]): Promise<{ histories: Map<string, RunHistory>; notes: string[] }> {
  const histories = new Map<string, RunHistory>();
  const notes: string[] = [];
  for (const run of runs) {
    const history = await readHistory(run.dir);
    if (!history || (history.steps.length === 0 && history.epochs.length === 0)) continue;
    histories.set(run.id, history);
    if (history.dropped > 0) notes.push(`${run.id}: ${history.dropped} non-finite history values (NaN or Infinity) are not drawn`);
  }
  return { histories, notes };
}

function notesHtml(notes: readonly string[]): string {
  return notes.length === 0 ? '' : `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
}

/** Many runs (a sweep or a chosen set): comparison, seed aggregates, charts. */
export async function renderComparisonHtml(input: HtmlReportInput): Promise<string> {
  const { comparison } = input;
  const sections: HtmlSection[] = [{ title: `Runs (${comparison.rows.length})`, html: comparisonTable(comparison) }];
  const seeds = seedTable(comparison);
  if (seeds) sections.push(seeds);
  const params = new Figures();
  await metricVsParamCharts(comparison, params);
  if (params.items.length > 0) sections.push({ title: 'Metric against parameters', html: params.html() });
  const { histories, notes } = await loadHistories(input.runs);
  const curves = new Figures();
  const curveNotes = await overlaidCurves(comparison, histories, curves);
  if (curves.items.length > 0) sections.push({ title: 'Learning curves', html: curves.html() + notesHtml([...notes, ...curveNotes]) });
  const matrices = new Figures();
  await confusionFigures(comparison, matrices);
  if (matrices.items.length > 0) sections.push({ title: 'Confusion matrices', html: matrices.html() });
  return renumber(htmlPage(input.title, input.meta ?? [], sections));
}

/**
 * Figures of different sections are numbered independently; a final pass makes every chart's
 * prefix unique in the page.
 */
function renumber(page: string): string {
  let chart = 0;
  return page.replace(/<figure>([\s\S]*?)<\/figure>/g, (whole) => {
    chart += 1;
    return whole.replace(/(\sid="|url\(#|href="#)c\d+-(fnd-\d+)/g, (_m, lead: string, id: string) => `${lead}f${chart}-${id}`);
  });
}

/** The headline: scores, per-class table, confusion matrix as a chart and, for more than two classes, row-normalised. */
async function resultSection(headline: Headline, figures: Figures): Promise<HtmlSection> {
  const where = headline.split === '' ? `stage ${headline.stageId}` : `${headline.split} split (stage ${headline.stageId})`;
  const parts = [
    `<p>Scores on the ${escapeHtml(where)}.</p>`,
    `<div class="headline">${htmlTable(
      headline.scores.map((score) => score.title),
      [headline.scores.map((score) => formatNumber(score.value))],
      new Set(headline.scores.map((_, i) => i)),
    )}</div>`,
  ];
  if (headline.perClass.length > 0) {
    parts.push(
      htmlTable(
        ['class', 'precision', 'recall', 'F1', 'support'],
        headline.perClass.map((c) => [c.name, ...[c.precision, c.recall, c.f1, c.support].map(formatValue)]),
        new Set([1, 2, 3, 4]),
      ),
    );
  }
  const matrix = headline.matrix;
  if (matrix !== undefined) {
    const split = headline.split || headline.stageId;
    figures.add(`Confusion matrix (${split}): counts`, await confusionMatrixSvg(matrix.counts, matrix.labels, `Confusion matrix (${split})`));
    parts.push(figures.html());
    if (matrix.normalized !== undefined) {
      parts.push(
        '<p>Row-normalised: the share of each true class (rows) predicted as each class (columns); the diagonal is each class\'s recall.</p>',
        htmlTable(
          ['true / predicted', ...matrix.labels],
          matrix.normalized.map((row, i) => [matrix.labels[i]!, ...row.map((v): HtmlCell => ({ text: formatNumber(v, { significant: 3 }), numeric: true, shade: v }))]),
        ),
      );
    }
  }
  return { title: 'Result', html: parts.join('\n') };
}

function stagesTable(record: RunRecord): string {
  const rows = Object.entries(record.stages).map(([id, stage]) => [id, stage.plugin, stage.status, formatDuration(stage.durationMs), stage.error ?? stage.reason ?? '']);
  return htmlTable(['stage', 'plugin', 'status', 'time', 'reason'], rows, new Set([3]));
}

/** Each stage's scalar metrics that the headline did not show, one table per stage. */
function stageDetails(metrics: RunMetrics, headline: Headline | undefined): string {
  const epochsStage = findEpochs(metrics)?.stageId;
  const blocks: string[] = [];
  for (const [stageId, stageMetrics] of Object.entries(metrics)) {
    const rows = flattenLeaves(stageMetrics).flatMap((leaf) => {
      const [split, key] = headline?.split === '' ? [undefined, leaf.path] : [leaf.path.split('.')[0], leaf.path.split('.').slice(1).join('.')];
      const inHeadline = headline !== undefined && headline.stageId === stageId && (headline.split === '' || split === headline.split);
      const last = leaf.path.split('.').at(-1)!;
      if (inHeadline && (HEADLINE_KEYS.has(key ?? '') || HEADLINE_KEYS.has(last))) return [];
      if (stageId === epochsStage && leaf.path === 'epochs') return [];
      if (typeof leaf.value === 'string' && leaf.value.includes('\n')) return [];
      if (Array.isArray(leaf.value) && leaf.value.some((v) => typeof v === 'object' && v !== null)) return [];
      return [[leaf.path, formatValue(leaf.value)]];
    });
    if (rows.length > 0) blocks.push(`<h3>${escapeHtml(stageId)}</h3>\n${htmlTable(['metric', 'value'], rows, new Set([1]))}`);
  }
  return blocks.join('\n');
}

/** One run: the result first (scores, confusion matrix, learning curves), then stages, details, params and its report.md. */
export async function renderRunHtml(run: ReportRun, meta: string[] = []): Promise<string> {
  const headline = findHeadline(run.metrics);
  const sections: HtmlSection[] = [];
  if (headline !== undefined) sections.push(await resultSection(headline, new Figures()));
  const history = await readHistory(run.dir);
  const epochs = findEpochs(run.metrics);
  if ((history && (history.steps.length > 0 || history.epochs.length > 0)) || epochs !== undefined) {
    const parts: string[] = [];
    if (history && (history.steps.length > 0 || history.epochs.length > 0)) {
      const figures = new Figures();
      figures.add(
        'Learning curves',
        await learningCurvesSvg({
          steps: history.steps.map((s) => ({ step: s.step, loss: s.loss, ...(s.learningRate !== undefined ? { lr: s.learningRate } : {}) })),
          epochs: history.epochs,
        }),
      );
      parts.push(figures.html(), notesHtml(history.dropped > 0 ? [`${history.dropped} non-finite values are not drawn`] : []));
    }
    if (epochs !== undefined) {
      parts.push(htmlTable(epochs.columns.map(epochColumnTitle), epochs.rows.map((row) => epochs.columns.map((c) => formatValue(row[c]))), new Set(epochs.columns.map((_, i) => i))));
    }
    sections.push({ title: 'Learning curves', html: parts.join('\n') });
  }
  sections.push({ title: 'Stages', html: stagesTable(run.record) });
  const details = stageDetails(run.metrics, headline);
  const others = new Figures();
  for (const cm of confusionMatrices(run.metrics)) {
    const shownAbove = headline?.matrix !== undefined && cm.path === [headline.stageId, headline.split].filter(Boolean).join('.');
    if (!shownAbove) others.add(`Confusion matrix: ${cm.path}`, await confusionMatrixSvg(cm.matrix, cm.labels, cm.path));
  }
  if (details !== '' || others.items.length > 0) sections.push({ title: 'Stage details', html: (others.items.length > 0 ? others.html() : '') + details });
  const paramRows = Object.entries(run.record.params).flatMap(([stageId, params]) => flattenLeaves(params).map((leaf) => [stageId, leaf.path, formatValue(leaf.value)]));
  sections.push({ title: 'Parameters', html: htmlTable(['stage', 'param', 'value'], [['(spec)', 'seed', formatValue(run.record.seed)], ...paramRows]) });
  const markdown = await readFile(join(run.dir, 'report.md'), 'utf8').catch(() => undefined);
  if (markdown !== undefined) sections.push({ title: 'report.md', html: `<details><summary>The run's Markdown report</summary><pre>${escapeHtml(markdown)}</pre></details>` });
  return renumber(htmlPage(`Run ${run.id}`, meta, sections));
}
