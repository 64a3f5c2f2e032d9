import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRows, readTable, readTableInfo, writeTable } from '../../src/artifacts/table.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'fnd-table-'));

describe('table artifact', () => {
  it('writes rows.jsonl and table.json, and reads them back', async () => {
    const dir = tmp();
    async function* rows() {
      yield { id: 'a:2', text: 'line\nbreak "q"', label: 0 };
      yield { id: 'a:3', text: 'ünïcode ✓', label: 1, extra: null };
    }
    const info = await writeTable(dir, rows(), { labels: { '0': 'fake', '1': 'real' } });
    expect(info).toEqual({ columns: ['id', 'text', 'label', 'extra'], rowCount: 2, labels: { '0': 'fake', '1': 'real' } });
    expect(JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8'))).toEqual(info);
    expect(readFileSync(join(dir, 'rows.jsonl'), 'utf8').split('\n')).toHaveLength(3);
    const back = await readTable(dir);
    expect(back.info).toEqual(info);
    expect(back.rows[0]).toEqual({ id: 'a:2', text: 'line\nbreak "q"', label: 0 });
    expect(back.rows[1]!.text).toBe('ünïcode ✓');
    expect(await readTableInfo(dir)).toEqual(info);
  });

  it('writes an empty table and omits labels when none are given', async () => {
    const dir = tmp();
    expect(await writeTable(dir, [])).toEqual({ columns: [], rowCount: 0 });
    expect((await readTable(dir)).rows).toEqual([]);
  });

  it('names file and line of a corrupt row', async () => {
    const dir = tmp();
    await writeTable(dir, [{ id: '1' }, { id: '2' }]);
    writeFileSync(join(dir, 'rows.jsonl'), '{"id":"1"}\n{"id":\n');
    const read = async () => {
      for await (const _ of readRows(dir)) void _;
    };
    await expect(read()).rejects.toThrow(`${join(dir, 'rows.jsonl')}:2:1: corrupt table row`);
  });

  it('says which table is missing', async () => {
    await expect(readTableInfo(join(tmp(), 'nope'))).rejects.toThrow(/cannot read table.json \(ENOENT\)/);
  });
});
