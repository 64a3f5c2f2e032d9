import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import loadTable from '../../stages/load-table/index.js';
import loadCsv from '../../stages/load-csv/index.js';
import { readTable } from '../../src/artifacts/table.js';
import { runStage } from './run-stage.js';
import { LIAR_BINARY, LIAR_COLUMNS, LIAR_TEST, LIAR_TRAIN, LIAR_VALID, writeLiar } from './liar-data.js';

/** The reading params every LIAR test shares: no header, tabs, quotes as text, latin-1. */
const LIAR_READ = { header: false, column_names: LIAR_COLUMNS, quoting: 'none', encoding: 'latin1', id_column: 'id', label_column: 'label' };
const SPLITS = { train: 'train.tsv', validation: 'valid.tsv', test: 'test.tsv' };

describe('load-table on LIAR-shaped data', () => {
  const dir = writeLiar();

  it('reads a headerless TSV with stray quotes and a latin-1 byte into pre-split outputs with the six classes sorted', async () => {
    const { result, outputs } = await runStage(loadTable, { ...LIAR_READ, splits: SPLITS }, {}, { specDir: dir });
    const train = await readTable(outputs.train!.path);
    const validation = await readTable(outputs.validation!.path);
    const test = await readTable(outputs.test!.path);
    const classes = { '0': 'barely-true', '1': 'false', '2': 'half-true', '3': 'mostly-true', '4': 'pants-fire', '5': 'true' };
    for (const table of [train, validation, test]) {
      expect(table.info.labels).toEqual(classes);
      expect(table.info.columns).toEqual(['id', 'statement', 'subject', 'speaker', 'context', 'label']);
    }
    expect(train.rows).toHaveLength(12);
    expect(validation.rows).toHaveLength(6);
    expect(test.rows).toHaveLength(6);
    // The stray quote stays text; the row id is LIAR's own.
    expect(train.rows[0]).toEqual({
      id: '2635.json',
      statement: 'Says the "Annies List political group supports third-trimester abortions on demand.',
      subject: 'abortion',
      speaker: 'dwayne-bohac',
      context: 'a speech',
      label: 1,
    });
    expect(train.rows[7]!.statement).toBe("I'm the only person on this stage who has worked actively against José's tax plan.");
    expect(train.rows.map((r) => r.label)).toEqual([1, 2, 3, 1, 2, 5, 0, 2, 4, 3, 5, 4]);
    expect(test.rows.map((r) => r.id)).toEqual(LIAR_TEST.map((r) => r[0]));
    expect(result.metrics).toMatchObject({
      rows: 24,
      rows_by_file: { 'train.tsv': 12, 'valid.tsv': 6, 'test.tsv': 6 },
      rows_by_output: { train: 12, validation: 6, test: 6 },
      label_counts_by_output: { validation: { '0': 1, '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 } },
      skipped_malformed: 0,
      classes,
    });
    expect(result.summary).toBe('train 12, validation 6, test 6 from 3 file(s) (barely-true 3, false 5, half-true 5, mostly-true 3, pants-fire 4, true 4)');
  });

  it('maps the six labels to two classes with label_map, in the order classes gives', async () => {
    const { outputs } = await runStage(loadTable, { ...LIAR_READ, splits: SPLITS, label_map: LIAR_BINARY }, {}, { specDir: dir });
    const train = await readTable(outputs.train!.path);
    expect(train.info.labels).toEqual({ '0': 'false', '1': 'true' });
    const binary = (label: string): number => (LIAR_BINARY[label as keyof typeof LIAR_BINARY] === 'true' ? 1 : 0);
    expect(train.rows.map((r) => r.label)).toEqual(LIAR_TRAIN.map((r) => binary(r[1])));

    const ordered = await runStage(loadTable, { ...LIAR_READ, splits: SPLITS, label_map: LIAR_BINARY, classes: ['true', 'false'] }, {}, { specDir: dir });
    const test = await readTable(ordered.outputs.test!.path);
    expect(test.info.labels).toEqual({ '0': 'true', '1': 'false' });
    expect(test.rows.map((r) => r.label)).toEqual(LIAR_TEST.map((r) => 1 - binary(r[1])));
  });

  it('stops on a label the map does not know, naming file, line and the map; skips it when asked', async () => {
    const partial = { 'pants-fire': 'false', false: 'false', 'barely-true': 'false', 'half-true': 'true', true: 'true' };
    await expect(runStage(loadTable, { ...LIAR_READ, splits: SPLITS, label_map: partial }, {}, { specDir: dir })).rejects.toThrow(
      `${join(dir, 'train.tsv')}:3: malformed TSV row: label "mostly-true" is not in label_map ("pants-fire", "false", "barely-true", "half-true", "true") (set on_malformed: skip to skip such rows)`,
    );
    const { result, outputs } = await runStage(loadTable, { ...LIAR_READ, splits: SPLITS, label_map: partial, on_malformed: 'skip' }, {}, { specDir: dir });
    expect((await readTable(outputs.train!.path)).rows).toHaveLength(10);
    expect(result.metrics).toMatchObject({ skipped_malformed: 3, malformed_examples: ['train.tsv:3: label "mostly-true" is not in label_map ("pants-fire", "false", "barely-true", "half-true", "true")', 'train.tsv:10: label "mostly-true" is not in label_map ("pants-fire", "false", "barely-true", "half-true", "true")', 'valid.tsv:5: label "mostly-true" is not in label_map ("pants-fire", "false", "barely-true", "half-true", "true")'] });
  });

  it('reports a byte that is not UTF-8 as FILE:LINE:COLUMN, and skips only that row with on_malformed: skip', async () => {
    const utf8 = { ...LIAR_READ, encoding: 'utf-8', splits: SPLITS };
    await expect(runStage(loadTable, utf8, {}, { specDir: dir })).rejects.toThrow(
      `${join(dir, 'train.tsv')}:8:89: malformed TSV row: invalid UTF-8 byte 0xE9 ("é" in latin1; set encoding: latin1 or windows-1252 if the file is not UTF-8) (set on_malformed: skip to skip such rows)`,
    );
    const { result, outputs } = await runStage(loadTable, { ...utf8, on_malformed: 'skip' }, {}, { specDir: dir });
    const train = await readTable(outputs.train!.path);
    expect(train.rows.map((r) => r.id)).toEqual(LIAR_TRAIN.filter((_, i) => i !== 7).map((r) => r[0]));
    expect(result.metrics).toMatchObject({
      skipped_malformed: 1,
      malformed_examples: ['train.tsv:8:89: invalid UTF-8 byte 0xE9 ("é" in latin1; set encoding: latin1 or windows-1252 if the file is not UTF-8)'],
    });
    // windows-1252 reads the byte as latin1 does.
    const cp1252 = await runStage(loadTable, { ...LIAR_READ, encoding: 'windows-1252', splits: { train: 'train.tsv' } }, {}, { specDir: dir });
    expect((await readTable(cp1252.outputs.train!.path)).rows[7]!.statement).toContain('José');
  });

  it('shows why quoting must be off for LIAR: with RFC 4180 quotes a statement opening with a stray quote swallows the lines after it', async () => {
    await expect(runStage(loadTable, { ...LIAR_READ, quoting: 'rfc4180', splits: { train: 'train.tsv' } }, {}, { specDir: dir })).rejects.toThrow(
      `${join(dir, 'train.tsv')}:3: malformed TSV row: unexpected character "G" after a closing quote (field 3); a quote inside a quoted field must be doubled`,
    );
    const read = await runStage(loadTable, { ...LIAR_READ, splits: { train: 'train.tsv' } }, {}, { specDir: dir });
    expect((await readTable(read.outputs.train!.path)).rows[2]!.statement).toBe(LIAR_TRAIN[2]![2]);
  });

  it('needs column_names without a header, and rejects a column that would overwrite the row id', async () => {
    await expect(runStage(loadTable, { header: false, splits: SPLITS, label_column: 'label' }, {}, { specDir: dir })).rejects.toThrow(
      'load-table: header: false needs column_names (the names of the columns, in file order)',
    );
    await expect(runStage(loadTable, { ...LIAR_READ, id_column: undefined, splits: SPLITS }, {}, { specDir: dir })).rejects.toThrow(
      'load-table: column "id" would be written as "id", which the table reserves for the row id; set id_column to use it as the row id, or rename it with columns: {id: another_name}',
    );
  });

  it('draws a seeded sample stratified by label, in file order, the same every time', async () => {
    const params = { ...LIAR_READ, splits: { train: 'train.tsv' }, label_map: LIAR_BINARY, sample: { n: 6, seed: 3, stratify_by: ['label'] } };
    const first = await runStage(loadTable, params, {}, { specDir: dir });
    const again = await runStage(loadTable, params, {}, { specDir: dir });
    const other = await runStage(loadTable, { ...params, sample: { ...params.sample, seed: 4 } }, {}, { specDir: dir });
    const ids = async (run: typeof first): Promise<string[]> => (await readTable(run.outputs.train!.path)).rows.map((r) => String(r.id));
    const drawn = await ids(first);
    expect(drawn).toHaveLength(6);
    expect(await ids(again)).toEqual(drawn);
    expect(await ids(other)).not.toEqual(drawn);
    // File order kept; 6 false and 6 true rows in train → 3 of each.
    const order = LIAR_TRAIN.map((r) => r[0]);
    expect([...drawn].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(drawn);
    const rows = (await readTable(first.outputs.train!.path)).rows;
    expect(rows.filter((r) => r.label === 0)).toHaveLength(3);
    expect(first.result.metrics).toMatchObject({ sampled: { train: '6 of 12' } });
    await expect(runStage(loadTable, { ...params, sample: { n: 13, seed: 1 } }, {}, { specDir: dir })).rejects.toThrow('load-table: train: sample.n is 13 but only 12 rows were read');
  });
});

describe('load-table formats', () => {
  it('reads JSON Lines (gzip too), semicolon and pipe delimited files, with a constant class per file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-formats-'));
    writeFileSync(join(dir, 'a.jsonl'), '{"text": "one", "n": 1}\n\n{"text": "two", "n": 2}\n');
    writeFileSync(join(dir, 'b.jsonl.gz'), gzipSync('{"text": "three", "n": 3}\n'));
    const jsonl = await runStage(loadTable, { files: [{ path: 'a.jsonl', label: 'x' }, { path: 'b.jsonl.gz', label: 'y' }] }, {}, { specDir: dir });
    const table = await readTable(jsonl.outputs.table!.path);
    expect(table.rows).toEqual([
      { id: 'a.jsonl:1', text: 'one', n: 1, label: 0 },
      { id: 'a.jsonl:3', text: 'two', n: 2, label: 0 },
      { id: 'b.jsonl:1', text: 'three', n: 3, label: 1 },
    ]);
    expect(table.info.labels).toEqual({ '0': 'x', '1': 'y' });

    await expect(runStage(loadTable, { files: ['a.jsonl'], header: false, column_names: ['text'] }, {}, { specDir: dir })).rejects.toThrow(
      `load-table: files[0] (${join(dir, 'a.jsonl')}) is JSON Lines: its rows name their own fields, so column_names does not apply`,
    );
    writeFileSync(join(dir, 'bad.jsonl'), '{"text": "ok"}\n[1, 2]\n');
    await expect(runStage(loadTable, { files: ['bad.jsonl'] }, {}, { specDir: dir })).rejects.toThrow(`${join(dir, 'bad.jsonl')}:2: malformed JSON Lines row: expected a JSON object, found an array`);

    writeFileSync(join(dir, 'semi.csv'), 'text;label\n"a;b";2\nc;10\n');
    const semi = await runStage(loadCsv, { files: ['semi.csv'], delimiter: ';', label_column: 'label' }, {}, { specDir: dir });
    const semiTable = await readTable(semi.outputs.table!.path);
    // Integer class names sort as numbers: "2" before "10".
    expect(semiTable.info.labels).toEqual({ '0': '2', '1': '10' });
    expect(semiTable.rows).toEqual([{ id: 'semi.csv:2', text: 'a;b', label: 0 }, { id: 'semi.csv:3', text: 'c', label: 1 }]);

    writeFileSync(join(dir, 'pipe.txt'), 'a|b\n1|2\n');
    const pipe = await runStage(loadCsv, { files: ['pipe.txt'], delimiter: '|' }, {}, { specDir: dir });
    expect((await readTable(pipe.outputs.table!.path)).rows).toEqual([{ id: 'pipe.txt:2', a: '1', b: '2' }]);
    // A wrong delimiter says so.
    await expect(runStage(loadCsv, { files: ['semi.csv'], columns: ['text'] }, {}, { specDir: dir })).rejects.toThrow('no column "text" (the header has "text;label")');
  });

  it('refuses to mix class names with integer ids, and label_map without label_column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-mix-'));
    writeFileSync(join(dir, 'a.csv'), 'text\nx\n');
    writeFileSync(join(dir, 'b.csv'), 'text\ny\n');
    await expect(runStage(loadCsv, { files: [{ path: 'a.csv', label: 0 }, { path: 'b.csv', label: 'real' }] }, {}, { specDir: dir })).rejects.toThrow(
      'load-csv: files[1] has the class name "real" but files[0] uses integer ids; use class names everywhere',
    );
    await expect(runStage(loadCsv, { files: ['a.csv'], label_map: { a: 'b' } }, {}, { specDir: dir })).rejects.toThrow('load-csv: label_map needs label_column (the column it maps)');
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe('text\nx\n');
  });
});
