/**
 * A report as titled sections of lines and tables, rendered either for a terminal or as
 * Markdown. Commands build the sections once, so `--md` can never show different data.
 */
import { markdownTable, textTable, type Cell, type ColumnSpec } from '../../format/table.js';

export interface Section {
  title?: string;
  /** Free text lines shown before the table. */
  lines?: string[];
  table?: { columns: ColumnSpec[]; rows: Cell[][] };
  /** Shown instead of the table when it has no rows, e.g. "none: the params are identical". */
  empty?: string;
  /** Free text lines shown after the table, e.g. what was left out of it. */
  after?: string[];
}

export function renderText(sections: Section[]): string {
  const blocks = sections.map((section) => {
    const out: string[] = [];
    const indent = section.title ? '  ' : '';
    if (section.title) out.push(section.title);
    for (const line of section.lines ?? []) out.push(indent + line);
    if (section.table && section.table.rows.length > 0) out.push(textTable(section.table.columns, section.table.rows, { indent }));
    else if (section.table && section.empty) out.push(indent + section.empty);
    for (const line of section.after ?? []) out.push(indent + line);
    return out.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

export function renderMarkdown(sections: Section[]): string {
  const blocks = sections.map((section) => {
    const out: string[] = [];
    if (section.title) out.push(`### ${section.title}`, '');
    // Two trailing spaces would be a Markdown line break; a list keeps lines apart visibly.
    for (const line of section.lines ?? []) out.push(`- ${line}`);
    if ((section.lines ?? []).length > 0 && section.table) out.push('');
    if (section.table && section.table.rows.length > 0) out.push(markdownTable(section.table.columns, section.table.rows));
    else if (section.table && section.empty) out.push(`_${section.empty}_`);
    if ((section.after ?? []).length > 0) out.push('', ...(section.after ?? []).map((line) => `_${line}_`));
    return out.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
