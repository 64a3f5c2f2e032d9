/** `error-analysis.md`: the analysis of ./analyze.ts as a Markdown report. */
import { markdownTable, type ColumnSpec } from '../../src/format/table.js';
import { truncateTitle, type ErrorAnalysis } from './analyze.js';

export interface RenderOptions {
  maxExamples: number;
  /** Rows of the per-label and per-subject tables (most mistakes first); the rest are counted, not listed. */
  maxTableRows: number;
  maxLeakedTitles: number;
  titleMaxChars: number;
  /** 'title' when titles come from the title column, otherwise the column shown instead (e.g. 'text'). */
  titleSource: string;
  /** Test rows that had no prediction (shown, never silently ignored). */
  unpredicted: number;
  /** Why leakage was not checked, when it was not. */
  leakageSkipped?: string;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

function shown(count: number, total: number, noun: string): string {
  return count === total ? `All ${total} ${noun} are listed` : `The first ${count} of ${total} ${noun} are listed`;
}

/** Columns from headers, right-aligned where `right` says so. */
function columns(headers: readonly string[], right: readonly string[]): ColumnSpec[] {
  return headers.map((header) => ({ header, align: right.includes(header) ? 'right' : 'left' }));
}

/** A Markdown table of at most `max` rows, with a line saying how many were left out. */
function cappedTable(headers: readonly string[], right: readonly string[], rows: readonly (readonly (string | number)[])[], max: number, noun: string): string {
  const listed = rows.slice(0, max).map((row) => row.map(String));
  const table = `${markdownTable(columns(headers, right), listed)}\n`;
  if (listed.length === rows.length) return table;
  return `${table}\n${rows.length - listed.length} more ${noun} with fewer mistakes are not listed (\`max_table_rows: ${max}\`).\n`;
}

export function renderErrorAnalysis(analysis: ErrorAnalysis, options: RenderOptions): string {
  const { examples, misclassified } = analysis;
  const out: string[] = ['# Error analysis', ''];
  out.push(
    `**${misclassified.length} of ${examples} test examples misclassified** (error rate ${percent(analysis.errorRate)}, accuracy ${percent(1 - analysis.errorRate)}).`,
    '',
  );
  if (options.unpredicted > 0) {
    out.push(`Note: ${options.unpredicted} test rows have no prediction and are not part of this analysis.`, '');
  }

  if (analysis.pairs.length > 0) {
    out.push('## Mistakes by label', '');
    out.push(cappedTable(['true label', 'predicted label', 'count'], ['count'], analysis.pairs.map((p) => [p.label, p.predicted, p.count]), options.maxTableRows, 'label pairs'));
  }

  out.push('## Most confident mistakes', '');
  if (misclassified.length === 0) {
    out.push('No test example was misclassified.', '');
  } else {
    const listed = misclassified.slice(0, options.maxExamples);
    const what = options.titleSource === 'title' ? 'Title' : `Start of ${options.titleSource}`;
    out.push(`${shown(listed.length, misclassified.length, 'mistakes')}, most confident first; all of them are in \`misclassified.jsonl\`.`, '');
    const withSubject = listed.some((m) => m.subject !== undefined);
    const withLeak = listed.some((m) => m.titleInTrain !== undefined);
    const header = ['#', 'id', what, 'true', 'predicted', 'confidence', ...(withSubject ? ['subject'] : []), ...(withLeak ? ['title in train'] : [])];
    const rows = listed.map((m, i) => [
      i + 1,
      m.id,
      m.title.trim() === '' ? '(no title)' : truncateTitle(m.title, options.titleMaxChars),
      m.labelName,
      m.predictedName,
      m.confidence.toFixed(4),
      ...(withSubject ? [m.subject ?? ''] : []),
      ...(withLeak ? [m.titleInTrain ? 'yes' : 'no'] : []),
    ]);
    out.push(`${markdownTable(columns(header, ['#', 'confidence']), rows.map((row) => row.map(String)))}\n`);
  }

  if (analysis.subjects !== undefined) {
    out.push('## Errors by subject', '');
    const headers = ['subject', 'examples', 'misclassified', 'error rate'];
    const rows = analysis.subjects.map((s) => [s.subject, s.examples, s.misclassified, percent(s.errorRate)]);
    out.push(cappedTable(headers, headers.slice(1), rows, options.maxTableRows, 'subjects'));
  }

  out.push('## Titles in both train and test', '');
  if (analysis.leakage === undefined) {
    out.push(`Not checked: ${options.leakageSkipped ?? 'no train split was given'}.`, '');
  } else {
    const { titles, testRows, misclassified: wrong } = analysis.leakage;
    out.push('Titles compared after trimming and lower-casing.', '');
    if (titles.length === 0) {
      out.push('No test title occurs in the train split.', '');
    } else {
      out.push(
        `**${titles.length} distinct test titles also occur in the train split**, on ${testRows} test rows (${percent(testRows / examples)} of the test split); ${wrong} of those rows are misclassified.`,
        '',
      );
      const listed = titles.slice(0, options.maxLeakedTitles);
      out.push(`${shown(listed.length, titles.length, 'titles')}; all of them are in \`leaked-titles.jsonl\`.`, '');
      const headers = ['title', 'test rows', 'train rows', 'misclassified'];
      const rows = listed.map((t) => [truncateTitle(t.title, options.titleMaxChars), t.testRows, t.trainRows, t.misclassified].map(String));
      out.push(`${markdownTable(columns(headers, headers.slice(1)), rows)}\n`);
    }
  }
  return out.join('\n');
}
