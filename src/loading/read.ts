/** One file of a loader, whatever its format, as a stream of rows (values by column) or malformed-row events. */
import { openCsv, type CsvRowEvent } from '../text/csv.js';
import { openJsonl, type JsonlRowEvent } from '../text/jsonl.js';
import { StageUserError } from '../sdk/index.js';
import { isUserError } from '../util/errors.js';
import type { LoadTableParams } from './params.js';

export interface OpenedFile {
  /** What the format calls a row in messages: "CSV", "TSV", "JSON Lines". */
  kind: string;
  /** The column names when the format has them up front (delimited text); undefined for JSON Lines. */
  header?: string[];
  /** Where the header is, for messages: `path:line`, or the param that named the columns. */
  headerWhere: string;
  rows: AsyncGenerator<CsvRowEvent | JsonlRowEvent>;
}

const JSONL = /\.(jsonl|ndjson)(\.gz)?$/i;
const TSV = /\.tsv(\.gz)?$/i;

export function isJsonl(path: string, format: LoadTableParams['format']): boolean {
  return format === 'jsonl' || (format === 'auto' && JSONL.test(path));
}

export function delimiterFor(path: string, given: string | undefined): string {
  return given ?? (TSV.test(path) ? '\t' : ',');
}

export async function openFile(stage: string, where: string, path: string, params: LoadTableParams, signal: AbortSignal): Promise<OpenedFile> {
  try {
    if (isJsonl(path, params.format)) {
      if (params.column_names !== undefined || params.delimiter !== undefined) {
        throw new StageUserError(`${stage}: ${where} (${path}) is JSON Lines: its rows name their own fields, so ${params.column_names !== undefined ? 'column_names' : 'delimiter'} does not apply (set format: delimited if it is not JSON Lines)`);
      }
      const file = await openJsonl(path, { signal, encoding: params.encoding });
      return { kind: 'JSON Lines', headerWhere: path, rows: file.rows };
    }
    if (!params.header && params.column_names === undefined) {
      throw new StageUserError(`${stage}: header: false needs column_names (the names of the columns, in file order)`);
    }
    if (params.header && params.column_names !== undefined) {
      throw new StageUserError(`${stage}: column_names is for files without a header row (set header: false); to rename columns use columns: {old: new}`);
    }
    const delimiter = delimiterFor(path, params.delimiter);
    const csv = await openCsv(path, {
      signal,
      delimiter,
      quoting: params.quoting,
      encoding: params.encoding,
      ...(params.header ? {} : { columnNames: params.column_names! }),
    });
    return {
      kind: delimiter === '\t' ? 'TSV' : 'CSV',
      header: csv.header,
      headerWhere: csv.headerLine > 0 ? `${path}:${csv.headerLine}` : `${path} (column_names)`,
      rows: csv.rows,
    };
  } catch (error) {
    if (error instanceof StageUserError) throw error;
    if (isUserError(error)) throw new StageUserError(`${stage}: ${where}: ${error.message}`);
    throw error;
  }
}
