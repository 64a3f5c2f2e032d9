import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import loadCsv from '../../stages/load-csv/index.js';
import { readTable } from '../../src/artifacts/table.js';
import { REPO, runStage } from './run-stage.js';

const ISOT_FILES = [
  { path: 'Fake.csv', label: 0, label_name: 'fake' },
  { path: 'True.csv', label: 1, label_name: 'real' },
];

describe('load-csv', () => {
  it('reads the isot-mini fixture with labels, ids and a multi-line field intact', async () => {
    const { result, outputs } = await runStage(loadCsv, { files: ISOT_FILES });
    const { info, rows } = await readTable(outputs.table!.path);
    expect(info).toEqual({ columns: ['id', 'title', 'text', 'subject', 'date', 'label'], rowCount: 60, labels: { '0': 'fake', '1': 'real' } });
    expect(rows.map((r) => r.id).slice(0, 3)).toEqual(['Fake.csv:2', 'Fake.csv:3', 'Fake.csv:4']);
    expect(rows.slice(27, 31).map((r) => r.id)).toEqual(['Fake.csv:29', 'Fake.csv:30', 'Fake.csv:33', 'True.csv:2']);
    expect(rows.at(-1)!.id).toBe('True.csv:31');
    // A quoted title spanning lines 30-32 (bare CRs and CRLFs inside it), kept verbatim.
    expect(rows[28]!.title).toBe('\r\r\r\r\r\r\r\nDonald Trump Gets His A** Handed To Him By A 10-Year-Old Girl (VIDEO)\r\r\r\r\r\r\r\n');
    expect(rows[28]!.date).toBe('February 29, 2016');
    // Doubled quotes come out single.
    expect(rows[27]!.title).toBe(' John McCain Wanted Another 74 Twitter Followers, But His Plan Backfired Miserably (TWEETS)');
    expect(String(rows[27]!.text)).toContain('"');
    expect(rows[29]!.text).toBe(' ');
    expect(rows.filter((r) => r.label === 0)).toHaveLength(30);
    expect(rows[30]).toMatchObject({ title: 'As U.S. budget fight looms, Republicans flip their fiscal script', subject: 'politicsNews', label: 1 });
    expect(String(rows[30]!.text).startsWith('WASHINGTON (Reuters) - The head of a conservative')).toBe(true);
    expect(result.metrics).toEqual({
      rows: 60,
      rows_by_file: { 'Fake.csv': 30, 'True.csv': 30 },
      skipped_malformed: 0,
      malformed_examples: [],
      label_counts: { '0': 30, '1': 30 },
      classes: { '0': 'fake', '1': 'real' },
      empty_fields: { text: 1 },
      columns: ['id', 'title', 'text', 'subject', 'date', 'label'],
    });
  });

  it('reads the shipped gzip sample: 2000 + 2000 rows drawn from every subject', async () => {
    const files = ISOT_FILES.map((f) => ({ ...f, path: `${f.path}.gz` }));
    const { result, outputs } = await runStage(loadCsv, { files, columns: ['title', 'text', 'subject'] }, {}, { specDir: join(REPO, 'data/isot-sample') });
    const { info, rows } = await readTable(outputs.table!.path);
    expect(info.rowCount).toBe(4000);
    expect(info.columns).toEqual(['id', 'title', 'text', 'subject', 'label']);
    expect(result.metrics).toMatchObject({ rows_by_file: { 'Fake.csv': 2000, 'True.csv': 2000 }, label_counts: { '0': 2000, '1': 2000 }, empty_fields: { text: 48 } });
    // A random draw (scripts/draw-isot-sample.ts), stratified by subject: not the head of the files.
    const subjects: Record<string, number> = {};
    for (const row of rows) subjects[String(row.subject)] = (subjects[String(row.subject)] ?? 0) + 1;
    expect(subjects).toEqual({ News: 1212, politics: 382, 'left-news': 240, 'Government News': 86, 'Middle-east': 42, US_News: 38, politicsNews: 1291, worldnews: 709 });
    expect(rows[0]!.id).toBe('Fake.csv:2');
    expect(rows[2000]!.id).toBe('True.csv:2');
    expect(new Set(rows.map((r) => r.id)).size).toBe(4000);
  });

  it('gives the same ids for a .gz copy as for the plain file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-gz-'));
    writeFileSync(join(dir, 'Fake.csv.gz'), gzipSync(readFileSync(join(REPO, 'test/fixtures/isot-mini/Fake.csv'))));
    const { outputs } = await runStage(loadCsv, { files: [{ path: 'Fake.csv.gz', label: 0 }] }, {}, { specDir: dir });
    const plain = await runStage(loadCsv, { files: [{ path: 'Fake.csv', label: 0 }] });
    expect((await readTable(outputs.table!.path)).rows).toEqual((await readTable(plain.outputs.table!.path)).rows);
  });

  it('fails on the first malformed row, naming file and line', async () => {
    await expect(runStage(loadCsv, { files: [{ path: 'malformed.csv' }] })).rejects.toThrow(
      'malformed.csv:3: malformed CSV row: expected 4 fields (title,text,subject,date), found 2 (set on_malformed: skip to skip such rows)',
    );
    await expect(runStage(loadCsv, { files: [{ path: 'unterminated.csv' }] })).rejects.toThrow(
      'unterminated.csv:3: malformed CSV row: quoted field is never closed',
    );
  });

  it('skips malformed rows when asked, counting them and keeping their locations', async () => {
    const { result, outputs } = await runStage(loadCsv, { files: [{ path: 'malformed.csv' }], on_malformed: 'skip' });
    const { info, rows } = await readTable(outputs.table!.path);
    expect(rows.map((r) => r.id)).toEqual(['malformed.csv:2', 'malformed.csv:5', 'malformed.csv:7']);
    expect(rows[1]!.text).toBe('Multi\nline body');
    expect(info.labels).toBeUndefined();
    expect(result.metrics).toMatchObject({
      rows: 3,
      skipped_malformed: 2,
      malformed_examples: [
        'malformed.csv:3: expected 4 fields (title,text,subject,date), found 2',
        'malformed.csv:4: unexpected character " " after a closing quote (field 2); a quote inside a quoted field must be doubled',
      ],
      label_counts: {},
    });
    expect(result.summary).toBe('3 rows from 1 file(s), 2 malformed skipped');
  });

  it('takes labels from a column, selects and renames columns, rejects a bad label', async () => {
    const params = { files: [{ path: 'presplit.csv' }], label_column: 'label', columns: { title: 'title', enhanced_cleaned_text: 'text' }, label_names: { '0': 'fake', '1': 'real' } };
    await expect(runStage(loadCsv, params)).rejects.toThrow('presplit.csv:4: malformed CSV row: label column "label" holds "real", not an integer');
    const { result, outputs } = await runStage(loadCsv, { ...params, on_malformed: 'skip' });
    const { info, rows } = await readTable(outputs.table!.path);
    expect(info).toEqual({ columns: ['id', 'title', 'text', 'label'], rowCount: 3, labels: { '0': 'fake', '1': 'real' } });
    expect(rows).toEqual([
      { id: 'presplit.csv:2', title: 'A title', text: 'a body', label: 0 },
      { id: 'presplit.csv:3', title: 'Second, title', text: 'second body', label: 1 },
      { id: 'presplit.csv:5', title: 'Fourth', text: 'fourth body', label: 1 },
    ]);
    expect(result.metrics).toMatchObject({ label_counts: { '0': 1, '1': 2 }, skipped_malformed: 1 });
  });

  it('stops after limit_per_file rows of each file', async () => {
    const { result } = await runStage(loadCsv, { files: ISOT_FILES, limit_per_file: 5 });
    expect(result.metrics).toMatchObject({ rows: 10, rows_by_file: { 'Fake.csv': 5, 'True.csv': 5 } });
  });

  it('names a missing file, a missing column and colliding file names', async () => {
    await expect(runStage(loadCsv, { files: [{ path: 'Nope.csv', label: 0 }] })).rejects.toThrow(/files\[0\]: file not found: .*isot-mini\/Nope\.csv$/);
    await expect(runStage(loadCsv, { files: ISOT_FILES, columns: ['title', 'body'] })).rejects.toThrow(
      /isot-mini\/Fake\.csv:1: no column "body" \(the header has "title", "text", "subject", "date"\)/,
    );
    await expect(runStage(loadCsv, { files: [{ path: 'presplit.csv' }], label_column: 'label_id' })).rejects.toThrow(/presplit\.csv:1: no column "label_id"/);
    const dir = mkdtempSync(join(tmpdir(), 'fnd-dup-'));
    copyFileSync(join(REPO, 'test/fixtures/isot-mini/Fake.csv'), join(dir, 'Fake.csv'));
    await expect(
      runStage(loadCsv, { files: [{ path: 'Fake.csv', label: 0 }, { path: join(dir, 'Fake.csv'), label: 1 }] }),
    ).rejects.toThrow('two files are named Fake.csv');
    await expect(runStage(loadCsv, { files: [{ path: 'Fake.csv', label: 0 }, { path: 'True.csv' }] })).rejects.toThrow(
      'files[1] (True.csv) has no label while other files do',
    );
  });
});
