/**
 * The `table` artifact: a directory holding `rows.jsonl` (one JSON object per line) and
 * `table.json` (`{ columns, rowCount, labels? }`).
 *
 * JSONL keeps rows streamable (ISOT's 44k articles are ~110 MB of text) and diffable; the
 * side-car `table.json` lets a consumer learn the shape without reading every row.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { FndError } from '../util/errors.js';
import { naming, writeFileChunks } from '../util/fs/index.js';

export type Row = Record<string, unknown>;

export interface TableInfo {
  /** Union of the rows' keys, in order of first appearance. */
  columns: string[];
  rowCount: number;
  /** Label id (as a string key) → human name, e.g. `{"0": "fake", "1": "real"}`. */
  labels?: Record<string, string>;
  /**
   * The text transformations applied so far, in order (e.g. clean-text, then concat-title-text),
   * each `{ stage, ...its params }`. Stages that transform text append their step; tokenize copies
   * the list into the tokens header, so a saved model can apply the same preparation to new text.
   */
  preparation?: PreparationStep[];
}

/** One text transformation a table went through: the stage's plugin name and the params that matter. */
export type PreparationStep = { stage: string } & Record<string, unknown>;

/** What writeTable records next to the rows. */
export interface TableOptions {
  labels?: Record<string, string>;
  preparation?: PreparationStep[];
}

/** The table.json fields a stage passes through unchanged when it only filters or reorders rows. */
export function passThroughInfo(info: TableInfo): TableOptions {
  return {
    ...(info.labels !== undefined ? { labels: info.labels } : {}),
    ...(info.preparation !== undefined ? { preparation: info.preparation } : {}),
  };
}

export const ROWS_FILE = 'rows.jsonl';
export const INFO_FILE = 'table.json';

/**
 * Writes `rows` to `dir` (created if missing) and returns the table's info.
 * Streams: memory use does not grow with the number of rows.
 */
export async function writeTable(
  dir: string,
  rows: Iterable<Row> | AsyncIterable<Row>,
  options: TableOptions = {},
): Promise<TableInfo> {
  await naming(dir, () => mkdir(dir, { recursive: true }));
  const columns: string[] = [];
  const seen = new Set<string>();
  let rowCount = 0;
  async function* lines(): AsyncGenerator<string> {
    for await (const row of rows) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new FndError(`writeTable(${dir}): row ${rowCount + 1} is not an object`);
      }
      for (const key of Object.keys(row)) {
        if (!seen.has(key)) {
          seen.add(key);
          columns.push(key);
        }
      }
      rowCount++;
      yield JSON.stringify(row) + '\n';
    }
  }
  // A failed write rejects here, naming rows.jsonl, and removes the partial file.
  await writeFileChunks(join(dir, ROWS_FILE), lines());
  const info: TableInfo = { columns, rowCount };
  if (options.labels !== undefined) info.labels = options.labels;
  if (options.preparation !== undefined) info.preparation = options.preparation;
  await writeFileChunks(join(dir, INFO_FILE), [JSON.stringify(info, null, 2) + '\n']);
  return info;
}

/** Yields the rows of the table in `dir`, one at a time. */
export async function* readRows(dir: string): AsyncGenerator<Row> {
  const rowsPath = join(dir, ROWS_FILE);
  const input = createReadStream(rowsPath, { encoding: 'utf8' });
  const opened = once(input, 'open').catch((error: NodeJS.ErrnoException) => {
    throw new FndError(`table ${dir}: cannot read ${ROWS_FILE} (${error.code ?? error.message})`);
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new FndError('corrupt table row (not valid JSON)', { location: { file: rowsPath, line: lineNumber } });
      }
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new FndError('corrupt table row (not a JSON object)', { location: { file: rowsPath, line: lineNumber } });
      }
      yield row as Row;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Reads the whole table into memory. Fine for tables up to a few hundred MB. */
export async function readTable(dir: string): Promise<{ info: TableInfo; rows: Row[] }> {
  const info = await readTableInfo(dir);
  const rows: Row[] = [];
  for await (const row of readRows(dir)) rows.push(row);
  if (rows.length !== info.rowCount) {
    throw new FndError(`table ${dir}: ${INFO_FILE} says ${info.rowCount} rows but ${ROWS_FILE} holds ${rows.length}`);
  }
  return { info, rows };
}

/** Reads `table.json` only. */
export async function readTableInfo(dir: string): Promise<TableInfo> {
  const infoPath = join(dir, INFO_FILE);
  let text: string;
  try {
    text = await readFile(infoPath, 'utf8');
  } catch (error) {
    throw new FndError(`table ${dir}: cannot read ${INFO_FILE} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FndError(`corrupt table info (not valid JSON)`, { location: { file: infoPath } });
  }
  const info = parsed as Partial<TableInfo>;
  if (!Array.isArray(info.columns) || typeof info.rowCount !== 'number') {
    throw new FndError(`corrupt table info (expected {columns, rowCount})`, { location: { file: infoPath } });
  }
  const result: TableInfo = { columns: info.columns, rowCount: info.rowCount };
  if (info.labels !== undefined) result.labels = info.labels;
  if (info.preparation !== undefined) {
    if (!Array.isArray(info.preparation) || !info.preparation.every((step) => typeof step === 'object' && step !== null && typeof (step as { stage?: unknown }).stage === 'string')) {
      throw new FndError(`corrupt table info ("preparation" must be a list of {stage, ...})`, { location: { file: infoPath } });
    }
    result.preparation = info.preparation;
  }
  return result;
}
