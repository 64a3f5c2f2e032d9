import { defineStage, StageUserError } from '../../src/sdk/index.js';
import { passThroughInfo, readRows, readTableInfo, writeTable, type Row } from '../../src/artifacts/table.js';
import { tableInput } from '../../src/artifacts/table-input.js';

export interface ConcatParams {
  title_field: string;
  text_field: string;
  output_field: string;
  separator: string;
}

/**
 * The notebook's `df['text'] = df['title'] + " " + df['enhanced_cleaned_text']`.
 * Difference on purpose: where pandas would give NaN for a missing title or text (and the
 * notebook's later `str(x) if x is not None else ""` then turned the whole row into ""), a
 * missing value here counts as "" so the other part survives: a row with no title becomes
 * `" " + text`. Missing means absent, null, or NaN; other non-strings are converted with String().
 */
function part(value: unknown): { text: string; missing: boolean } {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))) return { text: '', missing: true };
  return { text: typeof value === 'string' ? value : String(value), missing: false };
}

export default defineStage<ConcatParams>({
  name: 'concat-title-text',
  version: '1',
  description: 'text = title + " " + text, as the TinyBERT notebook does (missing values count as "").',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      title_field: { type: 'string', minLength: 1, default: 'title' },
      text_field: { type: 'string', minLength: 1, default: 'text' },
      output_field: { type: 'string', minLength: 1, default: 'text' },
      separator: { type: 'string', default: ' ' },
    },
  },
  inputs: { table: { kind: 'table' } },
  outputs: { table: { kind: 'table', description: 'The input rows with output_field set; other columns kept.' } },
  deterministic: true,
  async run(ctx, inputs, params) {
    const input = tableInput(inputs, 'table', 'concat-title-text');
    const info = await readTableInfo(input.path);
    for (const field of [params.title_field, params.text_field]) {
      if (!info.columns.includes(field)) {
        throw new StageUserError(`concat-title-text: the input table has no column "${field}" (columns: ${info.columns.join(', ')})`);
      }
    }
    let missingTitle = 0;
    let missingText = 0;
    let done = 0;
    async function* rows(): AsyncGenerator<Row> {
      for await (const row of readRows(input.path)) {
        const title = part(row[params.title_field]);
        const text = part(row[params.text_field]);
        if (title.missing) missingTitle++;
        if (text.missing) missingText++;
        done++;
        if (done % 5000 === 0) ctx.progress({ current: done, total: info.rowCount, unit: 'rows' });
        yield { ...row, [params.output_field]: title.text + params.separator + text.text };
      }
    }
    // Recorded so a saved model joins title and text the same way (fnd predict).
    const step = { stage: 'concat-title-text', title_field: params.title_field, text_field: params.text_field, output_field: params.output_field, separator: params.separator };
    const out = await writeTable(ctx.outputDir('table'), rows(), { ...passThroughInfo(info), preparation: [...(info.preparation ?? []), step] });
    return {
      metrics: { rows: out.rowCount, missing_title: missingTitle, missing_text: missingText },
      summary: `${out.rowCount} rows${missingTitle + missingText > 0 ? ` (${missingTitle} without title, ${missingText} without text)` : ''}`,
    };
  },
});
