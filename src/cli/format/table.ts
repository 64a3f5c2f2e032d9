/**
 * Tables for terminals (aligned, padded columns) and for Markdown (pipes). Cells are strings
 * already formatted by the caller, so the same rows render identically in both.
 */

export type Align = 'left' | 'right';

export interface TableColumn {
  header: string;
  align?: Align;
}

export type ColumnSpec = string | TableColumn;

function column(spec: ColumnSpec): Required<TableColumn> {
  return typeof spec === 'string' ? { header: spec, align: 'left' } : { header: spec.header, align: spec.align ?? 'left' };
}

/** Terminal columns, counted in code points so '—' and '±' take one column like ASCII. */
export function displayWidth(text: string): number {
  return Array.from(text).length;
}

/** A cell is one line: embedded newlines would break every column after them. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

export interface TextTableOptions {
  /** Prefix for every line, e.g. two spaces under a section heading. */
  indent?: string;
  /** Spaces between columns; default 2. */
  gap?: number;
}

/** Header, a dashed rule, then the rows; no trailing newline, no trailing spaces. */
export function textTable(columns: ColumnSpec[], rows: readonly (readonly string[])[], options: TextTableOptions = {}): string {
  const cols = columns.map(column);
  const cells = rows.map((row) => cols.map((_, i) => oneLine(row[i] ?? '')));
  const widths = cols.map((col, i) => Math.max(displayWidth(col.header), ...cells.map((row) => displayWidth(row[i]!))));
  const gap = ' '.repeat(options.gap ?? 2);
  const indent = options.indent ?? '';
  const line = (values: string[]) => indent + values.map((value, i) => pad(value, widths[i]!, cols[i]!.align)).join(gap).trimEnd();
  return [
    line(cols.map((col) => col.header)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ].join('\n');
}

function markdownCell(text: string): string {
  return oneLine(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

/** GitHub-flavoured Markdown table; right-aligned columns get `---:`. */
export function markdownTable(columns: ColumnSpec[], rows: readonly (readonly string[])[]): string {
  const cols = columns.map(column);
  const line = (values: string[]) => `| ${values.join(' | ')} |`;
  return [
    line(cols.map((col) => markdownCell(col.header))),
    line(cols.map((col) => (col.align === 'right' ? '---:' : '---'))),
    ...rows.map((row) => line(cols.map((_, i) => markdownCell(row[i] ?? '')))),
  ].join('\n');
}

/** `key   value` lines with the values aligned, for record headers. */
export function keyValueLines(pairs: readonly (readonly [string, string])[], indent = ''): string {
  const width = Math.max(0, ...pairs.map(([key]) => displayWidth(key)));
  return pairs.map(([key, value]) => `${indent}${pad(key, width, 'left')}  ${oneLine(value)}`.trimEnd()).join('\n');
}
