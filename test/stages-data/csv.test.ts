import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvEvent } from '../../src/text/csv.js';
import { LocatingDecoder } from '../../src/text/decode.js';

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

describe('LocatingDecoder', () => {
  // "ab\nc€d\nxéy\n" with é as the lone latin-1 byte 0xE9, a genuine U+FDD0, and a truncated € at the end.
  const bytes = Buffer.concat([Buffer.from('ab\nc€d\n'), Buffer.from([0x78, 0xe9, 0x79]), Buffer.from('\né\uFDD0z'), Buffer.from([0xe2, 0x82])]);

  it('marks each invalid byte and locates it by line and column, whatever the chunking', () => {
    for (const size of [1, 2, 3, 5, 100]) {
      const decoder = new LocatingDecoder('utf-8');
      let text = '';
      for (let i = 0; i < bytes.length; i += size) text += decoder.decode(bytes.subarray(i, i + size));
      text += decoder.end();
      expect(text).toBe('ab\nc€d\nx\uFDD0y\né\uFDD0z\uFDD0\uFDD0');
      expect(decoder.invalid).toEqual([
        { line: 3, column: 2, byte: 0xe9 },
        { line: 4, column: 2, byte: -1 },
        { line: 4, column: 4, byte: 0xe2 },
        { line: 4, column: 5, byte: 0x82 },
      ]);
    }
  });

  it('reads every byte in latin1 and windows-1252', () => {
    const raw = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]);
    expect(new LocatingDecoder('latin1').decode(raw)).toBe('café \u0080');
    const cp1252 = new LocatingDecoder('windows-1252');
    expect(cp1252.decode(raw) + cp1252.end()).toBe('café €');
  });
});

describe('parseCsv options', () => {
  it('splits at another delimiter, treats quotes as text with quoting none, and counts invalid markers per record', async () => {
    const events: CsvEvent[] = [];
    for await (const event of parseCsv(['a\t"b\tc\n"x\uFDD0\t\uFDD0y\n'], { delimiter: '\t', quoting: 'none', invalidChar: 0xfdd0 })) events.push(event);
    expect(events).toEqual([
      { type: 'record', line: 1, fields: ['a', '"b', 'c'] },
      { type: 'record', line: 2, fields: ['"x\uFDD0', '\uFDD0y'], invalid: 2 },
    ]);
  });
});
