/**
 * `report.md` for a run folder. It leads with the result — the test scores, the confusion matrix
 * (row-normalised too for more than two classes), the learning curves with the epochs as a
 * table — and then the error analysis, the stages with timings and cache hits, each stage's
 * other metrics, the environment and the params. Pure: text in, text out.
 */
import type { MetricValue } from '../sdk/index.js';
import { formatDuration } from '../format/duration.js';
import { formatNumber, formatTimestamp, formatValue } from '../format/number.js';
import { markdownTable as renderTable, type ColumnSpec } from '../format/table.js';
import { flattenLeaves } from '../runs/flatten.js';
import { findEpochs, findHeadline, HEADLINE_KEYS, type Headline } from './headline.js';

/** The fields of `run.json` (see the run-record format) that the report reads. */
export interface RunRecordForReport {
  id: string;
  spec: string;
  specName?: string;
  status: string;
  startedAt: string;
  durationMs: number;
  stages: Record<string, { plugin: string; status: string; signature: string; durationMs: number; reason?: string; error?: string }>;
  params?: Record<string, Record<string, unknown>>;
  seed?: number;
  vars?: Record<string, unknown>;
  variant?: string;
  sweep?: string;
  /** `--set` overrides as given, a `--name` and `--tag`s (see runs/record.ts). */
  overrides?: string[];
  name?: string;
  tags?: string[];
  environment?: { node?: string; fnd?: string; backend?: string; platform?: string; gitCommit?: string };
  error?: string;
}

/** metrics.json: stage id → the metrics that stage emitted. */
export type RunMetrics = Record<string, Record<string, MetricValue> | undefined>;

export interface ReportPlot {
  title: string;
  /** Path relative to the run folder, e.g. `confusion-test.svg`. */
  file: string;
}

export interface RunReportInput {
  record: RunRecordForReport;
  metrics: RunMetrics;
  /** The error-analysis stage's Markdown; its headings are nested under the report's own. */
  errorAnalysisMarkdown?: string;
  plots: ReportPlot[];
}

type Align = 'left' | 'right';

/** A Markdown table of already formatted cells, with a trailing newline. */
function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const columns: ColumnSpec[] = header.map((text, i) => ({ header: text, align: align[i] ?? 'left' }));
  return `${renderTable(columns, rows)}\n`;
}

/** A confusion matrix as a Markdown table: rows true labels, columns predicted labels. */
export function confusionMatrixTable(matrix: ReadonlyArray<readonly number[]>, labelNames: readonly string[], format: (v: number) => string = (v) => formatNumber(v)): string {
  return table(
    ['true / predicted', ...labelNames],
    matrix.map((row, i) => [labelNames[i] ?? String(i), ...row.map(format)]),
    ['left', ...labelNames.map((): Align => 'right')],
  );
}

/** Fenced code block; the fence grows when the text itself holds backticks. */
export function codeBlock(text: string, language = ''): string {
  let fence = '```';
  while (text.includes(fence)) fence += '`';
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}\n`;
}

/** Shifts the headings of `markdown` so that its highest one sits at `level` (outside code fences; never past `######`). */
export function nestHeadings(markdown: string, level: number): string {
  const lines = markdown.split('\n');
  const isHeading: boolean[] = [];
  let inFence = false;
  let top = 7;
  for (const line of lines) {
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s/.test(line);
    isHeading.push(heading);
    if (heading) top = Math.min(top, line.indexOf(' '));
  }
  if (top === 7) return markdown;
  const shift = level - top;
  return lines
    .map((line, i) => {
      if (!isHeading[i]) return line;
      const depth = line.indexOf(' ');
      return '#'.repeat(Math.min(6, Math.max(1, depth + shift))) + line.slice(depth);
    })
    .join('\n');
}

/** Markdown link target: relative, with the characters Markdown would misread escaped. */
function linkTarget(file: string): string {
  return encodeURI(file.split('\\').join('/')).replace(/\(/g, '%28').replace(/\)/g, '%29');
}

function image(plot: ReportPlot): string {
  return `![${plot.title.replace(/[[\]]/g, '')}](${linkTarget(plot.file)})\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMatrix(value: unknown): value is number[][] {
  return Array.isArray(value) && value.length > 0 && value.every((row) => Array.isArray(row) && row.every((v) => typeof v === 'number'));
}

function isRecordList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every(isObject);
}

/** A share (0..1 of a row) to three significant digits, so rows read at a glance. */
function share(value: number): string {
  return formatNumber(value, { significant: 3 });
}

/** Where the split's scores come from, e.g. "test split (stage evaluate)". */
function headlineSource(headline: Headline): string {
  return headline.split === '' ? `stage ${headline.stageId}` : `${headline.split} split (stage ${headline.stageId})`;
}

function scoresTable(headline: Headline): string {
  return table(
    headline.scores.map((s) => s.title),
    [headline.scores.map((s) => formatNumber(s.value))],
    headline.scores.map((): Align => 'right'),
  );
}

function perClassTable(headline: Headline): string {
  const rows = headline.perClass.map((c) => [c.name, ...[c.precision, c.recall, c.f1, c.support].map(formatValue)]);
  return table(['class', 'precision', 'recall', 'F1', 'support'], rows, ['left', 'right', 'right', 'right', 'right']);
}

/** Plots that belong to a headline part, picked by their file names. */
function plotFor(plots: readonly ReportPlot[], pattern: RegExp): ReportPlot | undefined {
  return plots.find((plot) => pattern.test(plot.file));
}

const CONFUSION_PLOT = /confusion/i;
const CURVES_PLOT = /learning|curve/i;

/** The result: scores, per-class table, confusion matrix (counts, then shares), learning curves. */
function resultSection(metrics: RunMetrics, plots: readonly ReportPlot[]): string | undefined {
  const headline = findHeadline(metrics as Record<string, Record<string, unknown>>);
  const epochs = findEpochs(metrics as Record<string, Record<string, unknown>>);
  if (headline === undefined && epochs === undefined) return undefined;
  const parts = ['## Result\n'];
  if (headline !== undefined) {
    const where = headline.split === '' ? headline.stageId : headline.split;
    parts.push(`Scores on the ${headlineSource(headline)}.\n`, scoresTable(headline));
    if (headline.perClass.length > 0) parts.push(`### Per class (${where})\n`, perClassTable(headline));
    const matrix = headline.matrix;
    if (matrix !== undefined) {
      parts.push(`### Confusion matrix (${where})\n`, 'Rows are the true classes, columns the predicted ones; counts of examples.\n', confusionMatrixTable(matrix.counts, matrix.labels));
      if (matrix.normalized !== undefined) {
        parts.push('Row-normalised: the share of each true class predicted as each class (the diagonal is its recall).\n', confusionMatrixTable(matrix.normalized, matrix.labels, share));
      }
      const plot = plotFor(plots, CONFUSION_PLOT);
      if (plot !== undefined) parts.push(image(plot));
    }
  }
  const curves = plotFor(plots, CURVES_PLOT);
  if (epochs !== undefined || curves !== undefined) {
    parts.push('### Learning curves\n');
    if (curves !== undefined) parts.push(image(curves));
    if (epochs !== undefined) parts.push(epochsTable(epochs.columns, epochs.rows, epochColumnTitle));
  }
  return parts.join('\n');
}

/** In the epochs table every score but the training loss comes from the evaluation after that epoch. */
export function epochColumnTitle(column: string): string {
  const words = column.replace(/_/g, ' ');
  return column === 'epoch' || column === 'step' || column.startsWith('train_') ? words : `eval ${words}`;
}

function epochsTable(columns: readonly string[], rows: readonly Record<string, unknown>[], title: (column: string) => string = (c) => c.replace(/_/g, ' ')): string {
  return table(
    columns.map(title),
    rows.map((row) => columns.map((c) => formatValue(row[c]))),
    columns.map((): Align => 'right'),
  );
}

/**
 * One stage's metrics, minus what the headline already showed: scalars in a table (nested objects
 * as dotted names), lists of records (epochs) as tables, confusion matrices and per-class scores
 * laid out, multi-line text (a classification report) in a code block. Never a JSON blob in a cell.
 */
function stageDetails(stageId: string, metrics: Record<string, MetricValue>, headline: Headline | undefined, epochsStage: string | undefined): string | undefined {
  const scalars: [string, string][] = [];
  const blocks: string[] = [];
  const visit = (prefix: string, node: Record<string, unknown>, isHeadline: boolean): void => {
    const labels = Array.isArray(node.labels) ? node.labels.map(String) : undefined;
    for (const [key, value] of Object.entries(node)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (isHeadline && HEADLINE_KEYS.has(key)) continue;
      if (key === 'epochs' && stageId === epochsStage) continue;
      if (key === 'labels' && isMatrix(node.confusion_matrix)) continue;
      if (key === 'confusion_matrix' && isMatrix(value)) {
        const names = labels && labels.length === value.length ? labels : value.map((_, i) => String(i));
        blocks.push(`#### Confusion matrix (${prefix || stageId})\n\n${confusionMatrixTable(value, names)}`);
      } else if (key === 'per_class' && isObject(value) && Object.values(value).every(isObject)) {
        const columns = [...new Set(Object.values(value).flatMap((v) => Object.keys(v as object)))];
        const rows = Object.entries(value).map(([cls, scores]) => [cls, ...columns.map((c) => formatValue((scores as Record<string, unknown>)[c]))]);
        blocks.push(`#### Per class (${prefix || stageId})\n\n${table(['class', ...columns], rows, ['left', ...columns.map((): Align => 'right')])}`);
      } else if (isRecordList(value)) {
        const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
        blocks.push(`#### ${name.replace(/_/g, ' ')}\n\n${epochsTable(columns, value)}`);
      } else if (typeof value === 'string' && value.includes('\n')) {
        blocks.push(`#### ${name.replace(/_/g, ' ')}\n\n${codeBlock(value)}`);
      } else if (isObject(value)) {
        visit(name, value, false);
      } else {
        scalars.push([name, formatValue(value)]);
      }
    }
  };
  const headlineHere = headline !== undefined && headline.stageId === stageId;
  if (headlineHere && headline.split === '') visit('', metrics, true);
  else {
    const top: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(metrics)) {
      if (headlineHere && key === headline.split && isObject(value)) visit(key, value, true);
      else top[key] = value;
    }
    visit('', top, false);
  }
  if (scalars.length === 0 && blocks.length === 0) return undefined;
  const parts = [`### ${stageId}\n`];
  if (scalars.length > 0) parts.push(table(['metric', 'value'], scalars, ['left', 'right']));
  parts.push(...blocks);
  return parts.join('\n');
}

function stagesSection(record: RunRecordForReport): string {
  const entries = Object.entries(record.stages);
  if (entries.length === 0) return '## Stages\n\nNo stages ran.\n';
  const cached = entries.filter(([, s]) => s.status === 'cached').length;
  const ran = entries.filter(([, s]) => s.status === 'ran').length;
  const stageTime = entries.reduce((total, [, s]) => total + (Number.isFinite(s.durationMs) ? s.durationMs : 0), 0);
  const rows = entries.map(([id, s]) => [id, s.plugin, s.status, formatDuration(s.durationMs), s.signature.slice(0, 12), s.error ?? s.reason ?? '']);
  const summary = `${ran} ran, ${cached} restored from cache (cache hits ${cached}/${entries.length}); time in stages ${formatDuration(stageTime)}.`;
  return `## Stages\n\n${summary}\n\n${table(['stage', 'plugin', 'status', 'time', 'signature', 'reason'], rows, ['left', 'left', 'left', 'right', 'left', 'left'])}`;
}

/** Title and one line of facts: what ran, how it ended, when, how long, what the user changed. */
function summaryLines(record: RunRecordForReport): string {
  const facts = [`\`${record.spec}\``, record.status, `started ${formatTimestamp(record.startedAt)} UTC`, formatDuration(record.durationMs)];
  if (record.seed !== undefined) facts.push(`seed ${record.seed}`);
  const lines = [`# Run ${record.id}\n`, `${facts.join(' · ')}\n`];
  const labels: string[] = [];
  if (record.name !== undefined) labels.push(`name **${record.name}**`);
  if (record.tags !== undefined && record.tags.length > 0) labels.push(`tags ${record.tags.map((t) => `\`${t}\``).join(', ')}`);
  if (record.variant !== undefined) labels.push(`sweep variant \`${record.variant}\``);
  if (record.overrides !== undefined && record.overrides.length > 0) labels.push(`overrides ${record.overrides.map((o) => `\`--set ${o}\``).join(' ')}`);
  if (labels.length > 0) lines.push(`${labels.join(' · ')}\n`);
  if (record.error !== undefined) lines.push(`**Error:** ${record.error}\n`);
  return lines.join('\n');
}

function environmentSection(record: RunRecordForReport): string {
  const env = record.environment ?? {};
  const rows: [string, string][] = [['spec', record.spec], ['started', record.startedAt]];
  if (record.sweep !== undefined) rows.push(['sweep', record.sweep]);
  for (const [key, value] of Object.entries(record.vars ?? {})) rows.push([`vars.${key}`, formatValue(value)]);
  if (env.backend !== undefined) rows.push(['backend', env.backend]);
  if (env.node !== undefined) rows.push(['node', env.node]);
  if (env.fnd !== undefined) rows.push(['fnd', env.fnd]);
  if (env.platform !== undefined) rows.push(['platform', env.platform]);
  if (env.gitCommit !== undefined) rows.push(['git commit', env.gitCommit]);
  return `## Run details\n\n${table(['field', 'value'], rows)}`;
}

/** Every param of every stage after defaults, one row each; numbers as everywhere else (5e-05). */
function paramsSection(record: RunRecordForReport): string | undefined {
  const params = record.params;
  if (params === undefined || Object.keys(params).length === 0) return undefined;
  const rows = Object.entries(params).flatMap(([stageId, stageParams]) =>
    flattenLeaves(stageParams).map((leaf) => [stageId, leaf.path, formatValue(leaf.value)]),
  );
  if (rows.length === 0) return undefined;
  return `## Parameters\n\nEach stage's params after defaults.\n\n${table(['stage', 'param', 'value'], rows)}`;
}

/** The whole `report.md` for a run. */
export function renderRunReport(input: RunReportInput): string {
  const { record, metrics, plots } = input;
  const sections = [summaryLines(record)];
  const result = resultSection(metrics, plots);
  if (result !== undefined) sections.push(result);
  if (input.errorAnalysisMarkdown !== undefined && input.errorAnalysisMarkdown.trim() !== '') {
    // The stage's own title would repeat the section heading.
    const body = input.errorAnalysisMarkdown.trim().replace(/^# [^\n]*\n+/, '');
    sections.push(`## Error analysis\n\n${nestHeadings(body, 3)}\n`);
  }
  sections.push(stagesSection(record));
  const headline = findHeadline(metrics as Record<string, Record<string, unknown>>);
  const epochsStage = findEpochs(metrics as Record<string, Record<string, unknown>>)?.stageId;
  const details = Object.entries(metrics)
    .filter((entry): entry is [string, Record<string, MetricValue>] => entry[1] !== undefined && Object.keys(entry[1]).length > 0)
    .flatMap(([id, m]) => stageDetails(id, m, headline, epochsStage) ?? []);
  if (details.length > 0) sections.push(['## Stage details\n', ...details].join('\n'));
  const shown = new Set([plotFor(plots, CONFUSION_PLOT), plotFor(plots, CURVES_PLOT)].filter((p) => result !== undefined && p !== undefined));
  const others = plots.filter((plot) => !shown.has(plot));
  if (others.length > 0) sections.push(['## Other plots\n', ...others.map((p) => `### ${p.title}\n\n${image(p)}`)].join('\n'));
  sections.push(environmentSection(record));
  const params = paramsSection(record);
  if (params !== undefined) sections.push(params);
  return sections.join('\n');
}
