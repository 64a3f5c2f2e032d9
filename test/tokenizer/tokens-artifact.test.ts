import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTokens, writeTokens, type TokensRow } from '../../src/artifacts/tokens.js';

const rows: TokensRow[] = [
  { ids: [101, 7592, 102], label: 1, rowId: 'True.csv:2' },
  { ids: [101, 2028, 2048, 2093, 102], label: 0, rowId: 'Fake.csv:2' },
  { ids: [101, 102], label: null, rowId: 'Fake.csv:3' },
];
const meta = { maxLength: 6, vocabSize: 30522, padId: 0, labels: { '0': 'fake', '1': 'real' }, tokenizer: { source: 'test' } };

describe('tokens artifact', () => {
  it('round-trips padded rows as uint16 and derives the attention mask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-tokens-'));
    const header = await writeTokens(dir, { ...meta, padding: 'max_length' }, rows);
    expect(header).toMatchObject({ count: 3, dtype: 'uint16', layout: 'padded', hasLabels: true, totalTokens: 10 });
    expect(statSync(join(dir, 'ids.bin')).size).toBe(3 * 6 * 2);
    const tokens = await readTokens(dir);
    expect(Array.from(tokens.lengths)).toEqual([3, 5, 2]);
    expect(Array.from(tokens.labels)).toEqual([1, 0, -1]);
    expect(tokens.rowIds).toEqual(['True.csv:2', 'Fake.csv:2', 'Fake.csv:3']);
    expect(Array.from(tokens.ids(1))).toEqual([101, 2028, 2048, 2093, 102]);
    const batch = tokens.batch([2, 0]);
    expect(batch.length).toBe(6);
    expect(Array.from(batch.inputIds)).toEqual([101, 102, 0, 0, 0, 0, 101, 7592, 102, 0, 0, 0]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(batch.tokenTypeIds)).toEqual(new Array(12).fill(0));
    expect(Array.from(batch.labels)).toEqual([-1, 1]);
    expect(tokens.batch([0, 1], 'longest').length).toBe(5);
  });

  it('stores ragged rows for dynamic padding, int32 when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-tokens-'));
    await writeTokens(dir, { ...meta, padding: 'longest', dtype: 'int32' }, rows);
    expect(statSync(join(dir, 'ids.bin')).size).toBe(10 * 4);
    expect(readFileSync(join(dir, 'ids.bin')).readInt32LE(4)).toBe(7592);
    const tokens = await readTokens(dir);
    const batch = tokens.batch([0, 2]);
    expect(batch.length).toBe(3);
    expect(Array.from(batch.inputIds)).toEqual([101, 7592, 102, 101, 102, 0]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(tokens.batch([0], 4).length).toBe(4);
    expect(() => tokens.batch([1], 4)).toThrow('cannot pad to 4, a row of the batch has 5 tokens');
  });

  it('rejects rows longer than max_length and ids outside the vocabulary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-tokens-'));
    await expect(writeTokens(dir, { ...meta, padding: 'max_length' }, [{ ids: [1, 2, 3, 4, 5, 6, 7], rowId: 'x' }])).rejects.toThrow(
      'row x has 7 ids, more than max_length 6',
    );
    await expect(writeTokens(dir, { ...meta, padding: 'none' }, [{ ids: [40000], rowId: 'y' }])).rejects.toThrow('outside the vocabulary');
  });

  it('treats a truncated ids.bin as corrupt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-tokens-'));
    await writeTokens(dir, { ...meta, padding: 'none' }, rows);
    writeFileSync(join(dir, 'ids.bin'), Buffer.alloc(6));
    await expect(readTokens(dir)).rejects.toThrow(/is corrupt: header says 3 rows/);
  });
});
