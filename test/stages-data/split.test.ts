import { describe, expect, it } from 'vitest';
import split from '../../stages/split/index.js';
import { allocate } from '../../src/loading/allocate.js';
import { readTable } from '../../src/artifacts/table.js';
import { runStage, tableOf } from './run-stage.js';

/** 100 label-0 rows and 60 label-1 rows with distinct texts. */
function rowsOf(counts: Record<number, number>): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const [label, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) rows.push({ id: `f${label}:${i + 2}`, text: `article ${label}-${i}`, label: Number(label) });
  }
  return rows;
}

async function splitIds(params: Record<string, unknown>, rows: Array<Record<string, unknown>>, seed: number) {
  const { result, outputs } = await runStage(split, params, { table: await tableOf(rows, { '0': 'fake', '1': 'real' }) }, { seed });
  const parts: Record<string, Array<Record<string, unknown>>> = {};
  for (const name of ['train', 'validation', 'test']) {
    const table = await readTable(outputs[name]!.path);
    expect(table.info.labels).toEqual({ '0': 'fake', '1': 'real' });
    parts[name] = table.rows;
  }
  return { result, parts, ids: (name: string) => parts[name]!.map((r) => String(r.id)) };
}

describe('allocate', () => {
  it('rounds by largest remainder', () => {
    expect(allocate(2000, [0.7, 0.15, 0.15])).toEqual([1400, 300, 300]);
    expect(allocate(3252, [0.7, 0.15, 0.15])).toEqual([2276, 488, 488]);
    expect(allocate(7, [0.7, 0.15, 0.15])).toEqual([5, 1, 1]);
    expect(allocate(0, [0.7, 0.15, 0.15])).toEqual([0, 0, 0]);
    expect(allocate(10, [0.8, 0.2, 0])).toEqual([8, 2, 0]);
  });
});

describe('split', () => {
  it('gives exact, stratified sizes with the notebook ratios', async () => {
    const { result, parts } = await splitIds({}, rowsOf({ 0: 100, 1: 60 }), 42);
    expect(result.metrics).toEqual({
      rows_in: 160,
      duplicates_removed: 0,
      duplicate_label_conflicts: 0,
      duplicate_examples: [],
      sizes: { train: 112, validation: 24, test: 24 },
      label_counts: { train: { '0': 70, '1': 42 }, validation: { '0': 15, '1': 9 }, test: { '0': 15, '1': 9 } },
    });
    expect(parts.train!.filter((r) => r.label === 1)).toHaveLength(42);
    // Every row lands in exactly one split; each split keeps the table's order.
    const all = [...parts.train!, ...parts.validation!, ...parts.test!].map((r) => String(r.id));
    expect(new Set(all).size).toBe(160);
    const order = rowsOf({ 0: 100, 1: 60 }).map((r) => r.id);
    expect(parts.test!.map((r) => order.indexOf(r.id))).toEqual(parts.test!.map((r) => order.indexOf(r.id)).sort((a, b) => a - b));
    expect(result.summary).toBe('train 112, validation 24, test 24');
  });

  it('is deterministic for a seed and changes with another seed', async () => {
    const rows = rowsOf({ 0: 50, 1: 50 });
    const a = await splitIds({}, rows, 7);
    const b = await splitIds({}, rows, 7);
    const c = await splitIds({}, rows, 8);
    for (const name of ['train', 'validation', 'test']) expect(a.ids(name)).toEqual(b.ids(name));
    expect(a.ids('test')).not.toEqual(c.ids('test'));
    expect(c.result.metrics!.sizes).toEqual(a.result.metrics!.sizes);
    // An explicit seed param wins over the spec's seed.
    const d = await splitIds({ seed: 7 }, rows, 999);
    expect(d.ids('test')).toEqual(a.ids('test'));
  });

  it('removes exact duplicates before splitting, so no text is in two splits', async () => {
    const rows = rowsOf({ 0: 40, 1: 40 });
    const dupes = [
      { id: 'd:1', text: 'article 0-1', label: 0 },
      { id: 'd:2', text: 'article 0-1', label: 0 },
      { id: 'd:3', text: 'article 1-5', label: 1 },
      { id: 'd:4', text: 'article 1-6', label: 0 }, // same text, other label: counted as a conflict
    ];
    const { result, parts } = await splitIds({ ratios: { train: 0.5, validation: 0.25, test: 0.25 } }, [...rows, ...dupes], 1);
    expect(result.metrics).toMatchObject({
      rows_in: 84,
      duplicates_removed: 4,
      duplicate_label_conflicts: 1,
      duplicate_examples: ['d:1 repeats f0:3', 'd:2 repeats f0:3', 'd:3 repeats f1:7', 'd:4 repeats f1:8'],
      sizes: { train: 40, validation: 20, test: 20 },
    });
    const texts = (name: string) => new Set(parts[name]!.map((r) => r.text));
    const [train, validation, test] = [texts('train'), texts('validation'), texts('test')];
    expect(train.size + validation.size + test.size).toBe(80);
    expect([...test].filter((t) => train.has(t) || validation.has(t))).toEqual([]);
    expect([...validation].filter((t) => train.has(t))).toEqual([]);

    const kept = await splitIds({ dedupe: false, stratify_by: null }, [...rows, ...dupes], 1);
    expect(kept.result.metrics).toMatchObject({ duplicates_removed: 0, sizes: { train: 59, validation: 13, test: 12 }, label_counts: { train: {} } });
  });

  it('rejects ratios that do not sum to 1 and a missing column', async () => {
    const input = await tableOf(rowsOf({ 0: 3 }));
    await expect(runStage(split, { ratios: { train: 0.7, validation: 0.2, test: 0.2 } }, { table: input })).rejects.toThrow(
      'split: ratios must sum to 1, got train 0.7 + validation 0.2 + test 0.2 = 1.0999999999999999',
    );
    await expect(runStage(split, { stratify_by: 'subject' }, { table: input })).rejects.toThrow('split: the input table has no column "subject" (columns: id, text, label)');
  });
});
