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
import { confusionMatrices, readHistory, type RunHistory } from './html-data.js';
import { escapeHtml, htmlPage, htmlTable, type HtmlSection } from './html-page.js';
import { figure } from './html-svg.js';

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

/** A short name for a run in legends: its variant, else its id. */
function labelOf(row: ComparisonRow): string {
  return row.entry.record.variant ?? row.entry.id;
}

function comparisonTable(comparison: Comparison): string {
  const hasVariant = comparison.rows.some((row) => row.entry.record.variant !== undefined);
  const columns = ['run', ...(hasVariant ? ['variant'] : []), 'status', ...comparison.params, ...comparison.metrics];
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
  const columns = [...seeds.groupParams, 'n', 'seeds', ...metricNames.map((m) => `${m} (mean ± std)`), ...metricNames.map((m) => `${m} per seed`)];
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
      const series = others.map((p) => `${p.split('.').at(-1)}=${formatValue(row.params.get(p))}`).join(', ');
      points.push({ x: row.params.get(param) as number, y, ...(series ? { series } : {}) });
    }
    if (points.length === 0) continue;
    const xs = points.map((p) => p.x);
    figures.add(
      `${metric} against ${param}`,
      await scatterSvg(points, { title: `${metric} vs ${param}`, xTitle: param, yTitle: metric, xLog: isLogScale(param, xs), seriesTitle: others.join(', ') || undefined }),
    );
  }
}

/** Training loss per step and the validation score per epoch, one line per run. */
async function overlaidCurves(rows: readonly ComparisonRow[], histories: Map<string, RunHistory>, figures: Figures): Promise<string[]> {
  const loss: ChartPoint[] = [];
  const perEpoch: ChartPoint[] = [];
  const epochMetric = ['f1', 'accuracy', 'loss'].find((name) => [...histories.values()].some((h) => h.epochs.some((e) => name in e.metrics)));
  for (const row of rows) {
    const history = histories.get(row.entry.id);
    if (!history) continue;
    const series = labelOf(row);
    for (const s of history.steps) loss.push({ x: s.step, y: s.loss, series });
    if (epochMetric) for (const e of history.epochs) if (epochMetric in e.metrics) perEpoch.push({ x: e.epoch, y: e.metrics[epochMetric]!, series });
  }
  if (loss.length > 0) figures.add('Training loss per step', await lineChartSvg(loss, { title: 'Training loss', xTitle: 'Step', yTitle: 'Loss', seriesTitle: 'Run' }));
  if (perEpoch.length > 0) {
    figures.add(`Validation ${epochMetric} per epoch`, await lineChartSvg(perEpoch, { title: `Validation ${epochMetric}`, xTitle: 'Epoch', yTitle: epochMetric!, seriesTitle: 'Run' }));
  }
  const missing = rows.filter((row) => !histories.has(row.entry.id)).map(labelOf);
  return missing.length > 0 && missing.length < rows.length ? [`no history.json in: ${missing.join(', ')}`] : [];
}

async function confusionFigures(rows: readonly ComparisonRow[], figures: Figures, allSplits: boolean): Promise<void> {
  for (const row of rows) {
    const found = confusionMatrices(row.entry.metrics);
    const shown = allSplits ? found : found.slice(0, 1);
    for (const cm of shown) figures.add(`${labelOf(row)}: ${cm.path}`, await confusionMatrixSvg(cm.matrix, cm.labels, `${cm.path}`));
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
  const curveNotes = await overlaidCurves(comparison.rows, histories, curves);
  if (curves.items.length > 0) sections.push({ title: 'Learning curves', html: curves.html() + notesHtml([...notes, ...curveNotes]) });
  const matrices = new Figures();
  await confusionFigures(comparison.rows, matrices, false);
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

/** One run: metrics, learning curves, confusion matrices and its report.md. */
export async function renderRunHtml(run: ReportRun, comparison: Comparison, meta: string[] = []): Promise<string> {
  const row = comparison.rows[0]!;
  const metricRows = [...row.metrics.entries()].filter(([, v]) => typeof v !== 'object' || v === null).map(([path, value]) => [path, formatValue(value)]);
  const paramRows = [...row.params.entries()].map(([path, value]) => [path, formatValue(value)]);
  const sections: HtmlSection[] = [
    { title: 'Metrics', html: htmlTable(['metric', 'value'], metricRows, new Set([1])) },
  ];
  const history = await readHistory(run.dir);
  if (history && (history.steps.length > 0 || history.epochs.length > 0)) {
    const figures = new Figures();
    figures.add(
      'Learning curves',
      await learningCurvesSvg({
        steps: history.steps.map((s) => ({ step: s.step, loss: s.loss, ...(s.learningRate !== undefined ? { lr: s.learningRate } : {}) })),
        epochs: history.epochs,
      }),
    );
    sections.push({ title: 'Learning curves', html: figures.html() + notesHtml(history.dropped > 0 ? [`${history.dropped} non-finite values are not drawn`] : []) });
  }
  const matrices = new Figures();
  await confusionFigures(comparison.rows, matrices, true);
  if (matrices.items.length > 0) sections.push({ title: 'Confusion matrices', html: matrices.html() });
  sections.push({ title: 'Params', html: htmlTable(['param', 'value'], paramRows) });
  const markdown = await readFile(join(run.dir, 'report.md'), 'utf8').catch(() => undefined);
  if (markdown !== undefined) sections.push({ title: 'report.md', html: `<details><summary>The run's Markdown report</summary><pre>${escapeHtml(markdown)}</pre></details>` });
  return renumber(htmlPage(`Run ${run.id}`, meta, sections));
}
