/** The tokenize stage run for real on temp directories through createStageContext. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTable, type Row } from '../../src/artifacts/table.js';
import { readTokens } from '../../src/artifacts/tokens.js';
import { createStageContext, outputPath } from '../../src/engine/context.js';
import type { Artifact } from '../../src/sdk/index.js';
import { loadTokenizer } from '../../src/text/tokenizer.js';
import stage, { fingerprint, type TokenizeParams } from '../../stages/tokenize/index.js';
import { FIXTURES, VOCAB } from './helpers.js';

async function runStage(rows: Row[], overrides: Partial<TokenizeParams> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'fnd-stage-'));
  const tableDir = join(root, 'table');
  await writeTable(tableDir, rows, { labels: { '0': 'fake', '1': 'real' } });
  const workDir = join(root, 'work');
  const ctx = createStageContext({
    stageId: 'tokenize-512',
    plugin: 'tokenize',
    workDir,
    resumeDir: join(root, 'resume'),
    specDir: FIXTURES,
    projectDir: root,
    seed: 1,
    device: 'cpu',
    signal: new AbortController().signal,
  });
  const table: Artifact = { kind: 'table', path: tableDir, hash: 'x', producer: { stageId: 'load', port: 'table' } };
  const params: TokenizeParams = {
    tokenizer: 'vocab/vocab.txt', // relative to the spec directory
    max_length: 8,
    truncation: true,
    padding: 'max_length',
    text_field: 'text',
    label_field: 'label',
    ...overrides,
  };
  const result = await stage.run(ctx, { table }, params);
  return { result, tokens: await readTokens(outputPath(workDir, 'tokens')) };
}

const rows: Row[] = [
  { id: 'Fake.csv:2', text: 'one two', label: 0 },
  { id: 'True.csv:2', text: 'one two three four five six seven eight', label: 1 },
  { id: 'True.csv:3', text: null, label: 1 },
  { id: 'Fake.csv:3', text: 'Hello, World!', label: 0 },
];

describe('tokenize stage', () => {
  it('writes padded ids, labels and row ids, with length metrics', async () => {
    const { result, tokens } = await runStage(rows);
    expect(result?.metrics).toMatchObject({ count: 4, truncated: 1, emptyTexts: 1, labelled: 4, lengthMax: 10, lengthP50: 4, vocabSize: 30522 });
    expect(tokens.rowIds).toEqual(['Fake.csv:2', 'True.csv:2', 'True.csv:3', 'Fake.csv:3']);
    expect(Array.from(tokens.labels)).toEqual([0, 1, 1, 0]);
    expect(Array.from(tokens.lengths)).toEqual([4, 8, 2, 6]);
    expect(Array.from(tokens.ids(1))).toEqual([101, 2028, 2048, 2093, 2176, 2274, 2416, 102]);
    expect(tokens.header).toMatchObject({ layout: 'padded', maxLength: 8, labels: { '0': 'fake', '1': 'real' } });
    expect(tokens.header.tokenizer).toMatchObject({ vocabSize: 30522, doLowerCase: true });
  });

  it('keeps true lengths for padding none', async () => {
    const { tokens } = await runStage(rows, { padding: 'none' });
    expect(tokens.header.layout).toBe('ragged');
    expect(tokens.batch([0, 2]).length).toBe(4);
  });

  it('names the row whose text field is missing', async () => {
    await expect(runStage([{ id: 'a', text: 'x' }, { id: 'b', title: 'no text' }])).rejects.toThrow(
      'tokenize: row 2 (id b) has no field "text"; its fields are id, title (set text_field)',
    );
  });

  it('encodes large tables in worker threads, in order, with the same ids', async () => {
    const many: Row[] = Array.from({ length: 2400 }, (_, i) => ({ id: `r${i}`, text: `row ${i} says ${'hello world '.repeat(i % 7)}`, label: i % 2 }));
    const { result, tokens } = await runStage(many, { padding: 'none', max_length: 16 });
    expect(result?.metrics).toMatchObject({ count: 2400 });
    const tok = await loadTokenizer(VOCAB);
    for (const i of [0, 1, 1199, 1200, 1201, 2399]) {
      expect(tokens.rowIds[i]).toBe(`r${i}`);
      expect(Array.from(tokens.ids(i))).toEqual(tok.encode(many[i]!.text, { maxLength: 16 }).inputIds);
    }
  });

  it('fingerprints the tokenizer files, not their path', async () => {
    const ctx = { resolvePath: (p: string) => join(FIXTURES, p) };
    const params = { tokenizer: 'vocab/vocab.txt' } as TokenizeParams;
    const a = await fingerprint(params, ctx);
    expect(Object.keys(a)).toEqual(['tokenizer.files']);
    expect(a['tokenizer.files']).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprint({ ...params, tokenizer: VOCAB }, ctx)).toEqual(a);
    expect(await fingerprint({ ...params, tokenizer: 'tokenizer/bert-base-uncased-tokenizer.json' }, ctx)).not.toEqual(a);
  });
});
