/**
 * Reading CSV files (plain or gzip) as header + rows, each row tagged with the line it starts on.
 * Policy (fail or skip on malformed rows) belongs to the caller; this module reports, never drops.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FndError } from '../util/errors.js';
import { parseCsv } from './csv-parser.js';

export { parseCsv, type CsvEvent } from './csv-parser.js';

export type CsvRowEvent =
  | { type: 'row'; line: number; values: Record<string, string> }
  | { type: 'malformed'; line: number; message: string };

export interface CsvFile {
  path: string;
  header: string[];
  /** Line the header row is on (1 unless the file starts with empty lines). */
  headerLine: number;
  gzip: boolean;
  /** Rows after the header, in file order. */
  rows: AsyncGenerator<CsvRowEvent>;
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

/** Decoded UTF-8 text of a file, gunzipped when needed; errors name the file. */
async function* textChunks(path: string, gzip: boolean, signal?: AbortSignal): AsyncGenerator<string> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const source = gzip ? pipeline(raw, createGunzip(), () => undefined) : raw;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const buffer of source as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      yield decoder.decode(buffer, { stream: true });
    }
    yield decoder.decode();
  } catch (error) {
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new FndError(`${path}: not valid UTF-8 text`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (gzip && typeof code === 'string' && code.startsWith('Z_')) {
      throw new FndError(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
    throw error;
  } finally {
    raw.destroy();
  }
}

/**
 * Opens a CSV file and reads its header. Rows with a field count different from the header's
 * come out as `malformed` events, as do quoting errors.
 */
export async function openCsv(path: string, options: { signal?: AbortSignal } = {}): Promise<CsvFile> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new FndError(`${path}: not a file`);
  } catch (error) {
    if (error instanceof FndError) throw error;
    throw new FndError(`CSV file not found: ${path}`);
  }
  const gzip = await isGzip(path);
  const events = parseCsv(textChunks(path, gzip, options.signal));
  const first = await events.next();
  if (first.done) throw new FndError(`${path}: file is empty (expected a header row)`);
  if (first.value.type === 'malformed') {
    throw new FndError(`malformed header: ${first.value.message}`, { location: { file: path, line: first.value.line } });
  }
  const header = first.value.fields;
  const headerLine = first.value.line;
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new FndError(`header names column ${JSON.stringify(name)} twice`, { location: { file: path, line: headerLine } });
    }
    seen.add(name);
  }
  return { path, header, headerLine, gzip, rows: rowsOf(events, header) };
}

async function* rowsOf(events: AsyncGenerator<import('./csv-parser.js').CsvEvent>, header: string[]): AsyncGenerator<CsvRowEvent> {
  try {
    for await (const event of events) {
      if (event.type === 'malformed') {
        yield event;
        continue;
      }
      if (event.fields.length !== header.length) {
        yield {
          type: 'malformed',
          line: event.line,
          message: `expected ${header.length} fields (${header.join(',')}), found ${event.fields.length}`,
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
