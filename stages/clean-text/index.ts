import { defineStage, StageUserError } from '../../src/sdk/index.js';
import { passThroughInfo, readRows, readTableInfo, writeTable, type Row } from '../../src/artifacts/table.js';
import { tableInput } from '../../src/artifacts/table-input.js';
import { CLEAN_RULE_DESCRIPTIONS, CLEAN_RULE_NAMES, cleanText, DEFAULT_CLEAN_RULES, type CleanRuleName } from '../../src/text/clean.js';

export interface CleanTextParams {
  field: string;
  rules: CleanRuleName[];
}

export default defineStage<CleanTextParams>({
  name: 'clean-text',
  version: '1',
  description: 'Remove source giveaways (Reuters datelines, Twitter handles, "Featured image via", URLs) from a text column.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      field: { type: 'string', minLength: 1, default: 'text', description: 'Column to clean (run before concat-title-text: datelines are matched at the start).' },
      rules: {
        type: 'array',
        uniqueItems: true,
        items: { enum: [...CLEAN_RULE_NAMES] },
        default: [...DEFAULT_CLEAN_RULES],
        description: `Rules to apply, always in this order: ${CLEAN_RULE_NAMES.map((r) => `${r} (${CLEAN_RULE_DESCRIPTIONS[r]})`).join('; ')}.`,
      },
    },
  },
  inputs: { table: { kind: 'table' } },
  outputs: { table: { kind: 'table', description: 'The input rows with `field` cleaned.' } },
  deterministic: true,
  async run(ctx, inputs, params) {
    const input = tableInput(inputs, 'table', 'clean-text');
    const info = await readTableInfo(input.path);
    if (!info.columns.includes(params.field)) {
      throw new StageUserError(`clean-text: the input table has no column "${params.field}" (columns: ${info.columns.join(', ')})`);
    }
    const changedByRule: Record<string, number> = Object.fromEntries(params.rules.map((rule) => [rule, 0]));
    let changed = 0;
    let notText = 0;
    let done = 0;
    async function* rows(): AsyncGenerator<Row> {
      for await (const row of readRows(input.path)) {
        done++;
        if (done % 5000 === 0) ctx.progress({ current: done, total: info.rowCount, unit: 'rows' });
        const value = row[params.field];
        if (typeof value !== 'string') {
          // Missing or non-text values pass through unchanged, counted so nothing hides.
          notText++;
          yield row;
          continue;
        }
        const result = cleanText(value, params.rules);
        if (result.changedBy.length === 0) {
          yield row;
          continue;
        }
        changed++;
        for (const rule of result.changedBy) changedByRule[rule] = (changedByRule[rule] ?? 0) + 1;
        yield { ...row, [params.field]: result.text };
      }
    }
    // Recorded so a saved model cleans new text the same way (fnd predict).
    const preparation = [...(info.preparation ?? []), { stage: 'clean-text', field: params.field, rules: [...params.rules] }];
    const out = await writeTable(ctx.outputDir('table'), rows(), { ...passThroughInfo(info), preparation });
    return {
      metrics: { rows: out.rowCount, rows_changed: changed, rows_changed_by_rule: changedByRule, rows_not_text: notText },
      summary: `${changed} of ${out.rowCount} rows changed (${Object.entries(changedByRule).map(([r, n]) => `${r} ${n}`).join(', ')})`,
    };
  },
});
