/**
 * Reading delimited text files (CSV, TSV...; plain or gzip) as rows, each tagged with the line
 * it starts on. The header comes from the file's first record, or from `columnNames` for a file
 * without one. Policy (fail or skip on malformed rows) belongs to the caller; this module
 * reports, never drops.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FndError } from '../util/errors.js';
import { parseCsv, type CsvEvent, type Quoting } from './csv-parser.js';
import { describeInvalidByte, INVALID_CHAR, LocatingDecoder, type InvalidByte, type TextEncoding } from './decode.js';

export { parseCsv, type CsvEvent, type Quoting } from './csv-parser.js';

export type CsvRowEvent =
  | { type: 'row'; line: number; values: Record<string, string> }
  | { type: 'malformed'; line: number; column?: number; message: string };

export interface CsvFile {
  path: string;
  header: string[];
  /** Line the header row is on (1 unless the file starts with empty lines); 0 when the names were given. */
  headerLine: number;
  gzip: boolean;
  /** Rows after the header, in file order. */
  rows: AsyncGenerator<CsvRowEvent>;
}

export interface OpenCsvOptions {
  signal?: AbortSignal;
  /** One character; default `,`. */
  delimiter?: string;
  quoting?: Quoting;
  encoding?: TextEncoding;
  /** Names of the columns of a file without a header row: every record is data. */
  columnNames?: string[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the file starts with the gzip magic bytes (so `.csv.gz` needs no naming convention). */
async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buffer, 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** A file's decoded text (gunzipped when needed) and the invalid bytes the decoder met, in order. */
export interface DecodedText {
  chunks: AsyncGenerator<string>;
  invalid: InvalidByte[];
  gzip: boolean;
}

/** Checks that `path` is a readable file; the message names it. */
export async function checkFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new FndError(`${path}: not a file`);
  } catch (error) {
    if (error instanceof FndError) throw error;
    throw new FndError(`file not found: ${path}`);
  }
}

/** Streams the text of a file in `encoding`; invalid bytes become INVALID_CHAR markers listed in `invalid`. */
export async function openText(path: string, encoding: TextEncoding, signal?: AbortSignal): Promise<DecodedText> {
  await checkFile(path);
  const gzip = await isGzip(path);
  const decoder = new LocatingDecoder(encoding);
  async function* chunks(): AsyncGenerator<string> {
    const raw = createReadStream(path, { highWaterMark: 1 << 20 });
    const source = gzip ? pipeline(raw, createGunzip(), () => undefined) : raw;
    let first = true;
    try {
      for await (const buffer of source as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        let text = decoder.decode(buffer);
        if (first && text.length > 0) {
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          first = false;
        }
        yield text;
      }
      yield decoder.end();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (gzip && typeof code === 'string' && code.startsWith('Z_')) {
        throw new FndError(`${path}: corrupt gzip data (${(error as Error).message})`);
      }
      throw error;
    } finally {
      raw.destroy();
    }
  }
  return { chunks: chunks(), invalid: decoder.invalid, gzip };
}

/**
 * Takes the `count` invalid bytes a record held off the decoder's list and describes the first
 * (its exact line and column).
 */
export function takeInvalid(invalid: InvalidByte[], count: number | undefined): { line: number; column: number; message: string } | undefined {
  if (!count) return undefined;
  const taken = invalid.splice(0, count);
  const first = taken[0]!;
  return { line: first.line, column: first.column, message: `${describeInvalidByte(first)}${count > 1 ? ` (and ${count - 1} more in this row)` : ''}` };
}

/**
 * Opens a delimited file and reads its header (unless `columnNames` names the columns). Rows
 * with a field count different from the header's come out as `malformed` events, as do quoting
 * errors and rows holding bytes invalid in the encoding (with their column).
 */
export async function openCsv(path: string, options: OpenCsvOptions = {}): Promise<CsvFile> {
  const text = await openText(path, options.encoding ?? 'utf-8', options.signal);
  const events = parseCsv(text.chunks, { delimiter: options.delimiter ?? ',', quoting: options.quoting ?? 'rfc4180', invalidChar: INVALID_CHAR });
  let header: string[];
  let headerLine: number;
  if (options.columnNames !== undefined) {
    header = options.columnNames;
    headerLine = 0;
  } else {
    const first = await events.next();
    if (first.done) throw new FndError(`${path}: file is empty (expected a header row)`);
    const bad = takeInvalid(text.invalid, first.value.invalid);
    if (bad) throw new FndError(`malformed header: ${bad.message}`, { location: { file: path, line: bad.line, col: bad.column } });
    if (first.value.type === 'malformed') {
      throw new FndError(`malformed header: ${first.value.message}`, { location: { file: path, line: first.value.line } });
    }
    header = first.value.fields;
    headerLine = first.value.line;
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      const where = headerLine > 0 ? `header names column ${JSON.stringify(name)} twice` : `column_names names ${JSON.stringify(name)} twice`;
      throw new FndError(where, headerLine > 0 ? { location: { file: path, line: headerLine } } : {});
    }
    seen.add(name);
  }
  return { path, header, headerLine, gzip: text.gzip, rows: rowsOf(events, header, text.invalid, options.delimiter ?? ',') };
}

function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : JSON.stringify(delimiter);
}

async function* rowsOf(events: AsyncGenerator<CsvEvent>, header: string[], invalid: InvalidByte[], delimiter: string): AsyncGenerator<CsvRowEvent> {
  try {
    for await (const event of events) {
      const bad = takeInvalid(invalid, event.invalid);
      if (bad) {
        yield { type: 'malformed', line: bad.line, column: bad.column, message: bad.message };
        continue;
      }
      if (event.type === 'malformed') {
        yield event;
        continue;
      }
      if (event.fields.length !== header.length) {
        yield {
          type: 'malformed',
          line: event.line,
          message: `expected ${header.length} fields (${header.join(',')}), found ${event.fields.length}${event.fields.length === 1 ? ` (is the delimiter ${delimiterName(delimiter)} right?)` : ''}`,
        };
        continue;
      }
      const values: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) values[header[i]!] = event.fields[i]!;
      yield { type: 'row', line: event.line, values };
    }
  } finally {
    // Stops the file stream when the consumer stops early (e.g. a row limit).
    await events.return(undefined);
  }
}

/** `Fake.csv.gz` → `Fake.csv`: the name row ids use, so a compressed copy gives the same ids. */
export function csvDisplayName(path: string): string {
  return basename(path).replace(/\.gz$/i, '');
}
