import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvEvent } from '../../src/text/csv.js';

async function parseIn(text: string, chunkSize: number): Promise<CsvEvent[]> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize));
  const events: CsvEvent[] = [];
  for await (const event of parseCsv(chunks)) events.push(event);
  return events;
}

describe('parseCsv', () => {
  const text = ['\uFEFFa,b,c', '1,"x\r\ny",3', '', '4,"5"', '"6","7""q",8', '', 'x,"y"z,1', '9,9"9,9', 'a,b,', '"open,1,2', '3,4,5'].join('\r\n');
  const expected: CsvEvent[] = [
    { type: 'record', line: 1, fields: ['a', 'b', 'c'] },
    { type: 'record', line: 2, fields: ['1', 'x\r\ny', '3'] },
    { type: 'record', line: 5, fields: ['4', '5'] },
    { type: 'record', line: 6, fields: ['6', '7"q', '8'] },
    {
      type: 'malformed',
      line: 8,
      message: 'unexpected character "z" after a closing quote (field 2); a quote inside a quoted field must be doubled',
    },
    { type: 'record', line: 9, fields: ['9', '9"9', '9'] },
    { type: 'record', line: 10, fields: ['a', 'b', ''] },
    { type: 'malformed', line: 11, message: 'quoted field is never closed (unterminated quote); it runs to the end of the file' },
  ];

  it('reads records with the line each starts on, whatever the chunking', async () => {
    for (const size of [1, 2, 3, 7, 10_000]) expect(await parseIn(text, size)).toEqual(expected);
  });

  it('treats LF, CRLF and lone CR alike and ends a last record without a newline', async () => {
    expect(await parseIn('a\nb\r\nc\rd', 1)).toEqual([
      { type: 'record', line: 1, fields: ['a'] },
      { type: 'record', line: 2, fields: ['b'] },
      { type: 'record', line: 3, fields: ['c'] },
      { type: 'record', line: 4, fields: ['d'] },
    ]);
    expect(await parseIn('', 1)).toEqual([]);
    // Inside quotes only LF counts as a new line (as grep -n counts); a bare CR is content.
    expect(await parseIn('"a\r\rb\r\n",x\ny,z\n', 1)).toEqual([
      { type: 'record', line: 1, fields: ['a\r\rb\r\n', 'x'] },
      { type: 'record', line: 3, fields: ['y', 'z'] },
    ]);
    expect(await parseIn('""\n', 1)).toEqual([{ type: 'record', line: 1, fields: [''] }]);
  });
});
