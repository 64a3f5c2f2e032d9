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

/**
 * A cell is its text, or its text with an alignment of its own: a metrics column mixes numbers
 * (right-aligned so digits line up) with lists and labels (left-aligned, read as text).
 */
export type Cell = string | { text: string; align: Align };

function rawText(cell: Cell | undefined): string {
  return cell === undefined ? '' : typeof cell === 'string' ? cell : cell.text;
}

function cellText(cell: Cell | undefined): string {
  return oneLine(rawText(cell));
}

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
export function textTable(columns: ColumnSpec[], rows: readonly (readonly Cell[])[], options: TextTableOptions = {}): string {
  const cols = columns.map(column);
  const cells = rows.map((row) =>
    cols.map((col, i) => {
      const cell = row[i];
      return { text: cellText(cell), align: typeof cell === 'object' ? cell.align : col.align };
    }),
  );
  const widths = cols.map((col, i) => Math.max(displayWidth(col.header), ...cells.map((row) => displayWidth(row[i]!.text))));
  const gap = ' '.repeat(options.gap ?? 2);
  const indent = options.indent ?? '';
  const line = (values: { text: string; align: Align }[]) => indent + values.map((value, i) => pad(value.text, widths[i]!, value.align)).join(gap).trimEnd();
  return [
    line(cols.map((col) => ({ text: col.header, align: col.align }))),
    line(widths.map((width) => ({ text: '-'.repeat(width), align: 'left' as const }))),
    ...cells.map(line),
  ].join('\n');
}

/** Pipes and backslashes escaped; a line break becomes `<br>`, which GitHub renders inside a cell. */
function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** GitHub-flavoured Markdown table; right-aligned columns get `---:`. */
export function markdownTable(columns: ColumnSpec[], rows: readonly (readonly Cell[])[]): string {
  const cols = columns.map(column);
  const line = (values: string[]) => `| ${values.join(' | ')} |`;
  return [
    line(cols.map((col) => markdownCell(col.header))),
    line(cols.map((col) => (col.align === 'right' ? '---:' : '---'))),
    // Markdown has no per-cell alignment; the column's alignment applies to every cell.
    ...rows.map((row) => line(cols.map((_, i) => markdownCell(rawText(row[i]))))),
  ].join('\n');
}

/** `key   value` lines with the values aligned, for record headers. */
export function keyValueLines(pairs: readonly (readonly [string, string])[], indent = ''): string {
  const width = Math.max(0, ...pairs.map(([key]) => displayWidth(key)));
  return pairs.map(([key, value]) => `${indent}${pad(key, width, 'left')}  ${oneLine(value)}`.trimEnd()).join('\n');
}
