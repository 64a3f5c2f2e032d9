/**
 * `report.md` for a run folder: what ran, how long it took, what came from the cache, the
 * metrics every stage emitted (with confusion matrices and classification reports laid out for
 * reading), the plots by relative link, and the error analysis. Pure: text in, text out.
 */
import type { MetricValue } from '../sdk/index.js';
import { formatDuration } from '../format/duration.js';

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
  environment?: { node?: string; fnd?: string; backend?: string; platform?: string; gitCommit?: string };
  error?: string;
}

/** metrics.json: stage id → the metrics that stage emitted. */
export type RunMetrics = Record<string, Record<string, MetricValue> | undefined>;

export interface ReportPlot {
  title: string;
  /** Path relative to the run folder, e.g. `confusion-matrix-test.svg`. */
  file: string;
}

export interface RunReportInput {
  record: RunRecordForReport;
  metrics: RunMetrics;
  /** The error-analysis stage's Markdown; its headings are nested under the report's own. */
  errorAnalysisMarkdown?: string;
  plots: ReportPlot[];
}

/** Escapes a value for one Markdown table cell. */
export function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : formatValue(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** A Markdown table; every row must have as many cells as `header`. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>, align?: ReadonlyArray<'left' | 'right'>): string {
  const rule = header.map((_, i) => (align?.[i] === 'right' ? '---:' : '---'));
  const line = (cells: readonly unknown[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${rule.map((r) => ` ${r} `).join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

/** Numbers as people read them in a table: integers whole, others to 6 significant digits. */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return String(value);
    return String(Number(value.toPrecision(6)));
  }
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export { formatDuration } from '../format/duration.js';

/** A confusion matrix as a Markdown table: rows true labels, columns predicted labels. */
export function confusionMatrixTable(matrix: ReadonlyArray<readonly number[]>, labelNames: readonly string[]): string {
  return markdownTable(
    ['true / predicted', ...labelNames],
    matrix.map((row, i) => [labelNames[i] ?? String(i), ...row]),
    ['left', ...labelNames.map(() => 'right' as const)],
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

function isObject(value: MetricValue | undefined): value is { [key: string]: MetricValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMatrix(value: MetricValue | undefined): value is number[][] {
  return Array.isArray(value) && value.length > 0 && value.every((row) => Array.isArray(row) && row.every((v) => typeof v === 'number'));
}

function isStringArray(value: MetricValue | undefined): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * One stage's metrics: scalars in a table (nested objects as dotted names), and the structured
 * values that read badly as JSON — per-class scores, confusion matrices, multi-line text such as a
 * classification report — laid out in their own blocks. Nothing is dropped: anything else is shown as JSON.
 */
function stageMetricsSection(stageId: string, metrics: Record<string, MetricValue>): string {
  const scalars: [string, MetricValue][] = [];
  const blocks: string[] = [];
  const visit = (prefix: string, node: { [key: string]: MetricValue }): void => {
    const labels = isStringArray(node['labels']) ? node['labels'] : undefined;
    for (const [key, value] of Object.entries(node)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (key === 'confusion_matrix' && isMatrix(value)) {
        const names = labels && labels.length === value.length ? labels : value.map((_, i) => String(i));
        blocks.push(`#### Confusion matrix${prefix ? ` (${prefix})` : ''}\n\n${confusionMatrixTable(value, names)}`);
      } else if (key === 'labels' && labels && isMatrix(node['confusion_matrix'])) {
        // Shown as the confusion matrix's headings.
      } else if (key === 'per_class' && isObject(value) && Object.values(value).every(isObject)) {
        const columns = [...new Set(Object.values(value).flatMap((v) => Object.keys(v as object)))];
        const rows = Object.entries(value).map(([cls, scores]) => [cls, ...columns.map((c) => (scores as Record<string, MetricValue>)[c])]);
        blocks.push(`#### Per class${prefix ? ` (${prefix})` : ''}\n\n${markdownTable(['class', ...columns], rows, ['left', ...columns.map(() => 'right' as const)])}`);
      } else if (typeof value === 'string' && value.includes('\n')) {
        blocks.push(`#### ${name.replace(/_/g, ' ')}\n\n${codeBlock(value)}`);
      } else if (isObject(value)) {
        visit(name, value);
      } else {
        scalars.push([name, value]);
      }
    }
  };
  visit('', metrics);
  const parts = [`### ${stageId}\n`];
  if (scalars.length > 0) parts.push(markdownTable(['metric', 'value'], scalars, ['left', 'right']));
  parts.push(...blocks);
  return parts.join('\n');
}

function stagesSection(record: RunRecordForReport): string {
  const entries = Object.entries(record.stages);
  if (entries.length === 0) return '## Stages\n\nNo stages ran.\n';
  const cached = entries.filter(([, s]) => s.status === 'cached').length;
  const ran = entries.filter(([, s]) => s.status === 'ran').length;
  const stageTime = entries.reduce((total, [, s]) => total + (Number.isFinite(s.durationMs) ? s.durationMs : 0), 0);
  const rows = entries.map(([id, s]) => [
    id,
    s.plugin,
    s.status,
    formatDuration(s.durationMs),
    s.signature.slice(0, 12),
    s.error ?? s.reason ?? '',
  ]);
  const summary = `${ran} ran, ${cached} restored from cache (cache hits ${cached}/${entries.length}); time in stages ${formatDuration(stageTime)}.`;
  return `## Stages\n\n${summary}\n\n${markdownTable(['stage', 'plugin', 'status', 'time', 'signature', 'reason'], rows, ['left', 'left', 'left', 'right', 'left', 'left'])}`;
}

function summarySection(record: RunRecordForReport): string {
  const env = record.environment ?? {};
  const rows: [string, unknown][] = [
    ['spec', record.spec],
    ['status', record.status],
    ['started', record.startedAt],
    ['duration', formatDuration(record.durationMs)],
  ];
  if (record.seed !== undefined) rows.push(['seed', record.seed]);
  if (record.variant !== undefined) rows.push(['variant', record.variant]);
  if (record.sweep !== undefined) rows.push(['sweep', record.sweep]);
  if (record.vars !== undefined && Object.keys(record.vars).length > 0) rows.push(['vars', record.vars]);
  if (env.backend !== undefined) rows.push(['backend', env.backend]);
  if (env.node !== undefined) rows.push(['node', env.node]);
  if (env.fnd !== undefined) rows.push(['fnd', env.fnd]);
  if (env.platform !== undefined) rows.push(['platform', env.platform]);
  if (env.gitCommit !== undefined) rows.push(['git commit', env.gitCommit]);
  const parts = [`# Run ${record.id}\n`, markdownTable(['field', 'value'], rows)];
  if (record.error !== undefined) parts.push(`**Error:** ${record.error}\n`);
  return parts.join('\n');
}

/** Markdown link target: relative, with the characters Markdown would misread escaped. */
function linkTarget(file: string): string {
  return encodeURI(file.split('\\').join('/')).replace(/\(/g, '%28').replace(/\)/g, '%29');
}

function paramsSection(record: RunRecordForReport): string | undefined {
  const params = record.params;
  if (params === undefined || Object.keys(params).length === 0) return undefined;
  return `## Parameters\n\n<details><summary>Parameters of each stage, after defaults</summary>\n\n${codeBlock(JSON.stringify(params, null, 2), 'json')}\n</details>\n`;
}

/** The whole `report.md` for a run. */
export function renderRunReport(input: RunReportInput): string {
  const { record, metrics, plots } = input;
  const sections = [summarySection(record)];
  const metricEntries = Object.entries(metrics).filter((entry): entry is [string, Record<string, MetricValue>] => entry[1] !== undefined && Object.keys(entry[1]).length > 0);
  if (metricEntries.length > 0) {
    sections.push(['## Metrics\n', ...metricEntries.map(([id, m]) => stageMetricsSection(id, m))].join('\n'));
  }
  if (plots.length > 0) {
    sections.push(['## Plots\n', ...plots.map((p) => `### ${p.title}\n\n![${p.title.replace(/[[\]]/g, '')}](${linkTarget(p.file)})\n`)].join('\n'));
  }
  if (input.errorAnalysisMarkdown !== undefined && input.errorAnalysisMarkdown.trim() !== '') {
    // The stage's own title would repeat the section heading.
    const body = input.errorAnalysisMarkdown.trim().replace(/^# [^\n]*\n+/, '');
    sections.push(`## Error analysis\n\n${nestHeadings(body, 3)}\n`);
  }
  sections.push(stagesSection(record));
  const params = paramsSection(record);
  if (params !== undefined) sections.push(params);
  return sections.join('\n');
}
