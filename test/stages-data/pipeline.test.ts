import { describe, expect, it } from 'vitest';
import loadCsv from '../../stages/load-csv/index.js';
import cleanText from '../../stages/clean-text/index.js';
import concat from '../../stages/concat-title-text/index.js';
import split from '../../stages/split/index.js';
import { readTable } from '../../src/artifacts/table.js';
import { runStage } from './run-stage.js';

describe('load → clean → concat → split on isot-mini', () => {
  it('chains the stages through their table artifacts', async () => {
    const files = [
      { path: 'Fake.csv', label: 0, label_name: 'fake' },
      { path: 'True.csv', label: 1, label_name: 'real' },
    ];
    const loaded = await runStage(loadCsv, { files, columns: ['title', 'text'] });
    const cleaned = await runStage(cleanText, {}, { table: loaded.outputs.table! });
    const joined = await runStage(concat, {}, { table: cleaned.outputs.table! });
    const parts = await runStage(split, {}, { table: joined.outputs.table! }, { seed: 42 });
    // 30 per class: 21 / 4.5 / 4.5 rounds to 21 / 5 / 4 (ties go to the earlier split).
    expect(parts.result.metrics).toMatchObject({
      duplicates_removed: 0,
      sizes: { train: 42, validation: 10, test: 8 },
      label_counts: { train: { '0': 21, '1': 21 }, validation: { '0': 5, '1': 5 }, test: { '0': 4, '1': 4 } },
    });
    const test = await readTable(parts.outputs.test!.path);
    expect(test.info).toEqual({
      columns: ['id', 'title', 'text', 'label'],
      rowCount: 8,
      labels: { '0': 'fake', '1': 'real' },
      // clean-text and concat-title-text record their steps; split passes them through.
      preparation: [
        { stage: 'clean-text', field: 'text', rules: ['reuters_dateline', 'reuters_mention', 'twitter', 'featured_image', 'urls'] },
        { stage: 'concat-title-text', title_field: 'title', text_field: 'text', output_field: 'text', separator: ' ' },
      ],
    });
    for (const row of test.rows) {
      expect(String(row.text).startsWith(`${String(row.title)} `)).toBe(true);
      expect(String(row.text)).not.toContain('(Reuters)');
    }
  });
});
