/**
 * A streaming delimited-text tokenizer (RFC 4180 CSV by default) that knows on which physical
 * line each record starts.
 *
 * Why not csv-parse's streaming API: its `info.lines` counts a CRLF inside a quoted field as two
 * lines and counts lines ahead of the record when empty lines are skipped, so row ids
 * (`file:line`) would drift; and after a quote error it resynchronises unpredictably, losing
 * the records that follow without saying which. This tokenizer is small, exact about lines,
 * and recovers from a bad record at the next line break.
 *
 * Options: the delimiter (`,` by default; `\t`, `;`, `|`...), and quoting `none` for files whose
 * quotes are plain text (LIAR's statements hold stray `"`): then a record is one line and
 * fields are split at every delimiter. Each event counts the INVALID_CHAR markers (bytes the
 * decoder could not decode) inside its record, so the caller can report and skip that record.
 *
 * Accepted: `,` separators; `\n`, `\r\n` or a lone `\r` as record ends (line breaks inside
 * quotes are kept verbatim in the field); `""` as an escaped quote; a UTF-8 BOM at the start;
 * empty lines (skipped). A `"` in the middle of an unquoted field is kept literally, as
 * pandas and Python's csv module do. Malformed: text after a closing quote, and a quoted
 * field still open at the end of the input.
 */

export type CsvEvent =
  | { type: 'record'; line: number; fields: string[]; invalid?: number }
  | { type: 'malformed'; line: number; message: string; invalid?: number };

export type Quoting = 'rfc4180' | 'none';

export interface ParseOptions {
  /** One character; default `,`. */
  delimiter?: string;
  /** `rfc4180` (default): `"` quotes fields; `none`: `"` is an ordinary character. */
  quoting?: Quoting;
  /** A character code to count per record (the decoder's marker for invalid bytes). */
  invalidChar?: number;
}

const QUOTE_CHAR = 34;
const LF = 10;
const CR = 13;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'skipToLineEnd';

/** Tokenizes decoded text chunks into records; chunk boundaries may fall anywhere. */
export async function* parseCsv(chunks: AsyncIterable<string> | Iterable<string>, options: ParseOptions = {}): AsyncGenerator<CsvEvent> {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(`parseCsv: delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
  const DELIMITER = delimiter.charCodeAt(0);
  // With quoting off no character opens a quoted field (-1 never equals a char code).
  const QUOTE = (options.quoting ?? 'rfc4180') === 'none' ? -1 : QUOTE_CHAR;
  const invalidChar = options.invalidChar ?? -1;
  let invalid = 0;
  let state: State = 'fieldStart';
  let field = '';
  let fields: string[] = [];
  let inRecord = false;
  let recordLine = 1;
  let line = 1;
  let lastWasCountedCR = false;
  let firstChunk = true;
  let badMessage = '';
  const pending: CsvEvent[] = [];

  const endRecord = (): void => {
    const counted = invalid > 0 ? { invalid } : {};
    if (state === 'skipToLineEnd') {
      pending.push({ type: 'malformed', line: recordLine, message: badMessage, ...counted });
    } else if (inRecord) {
      fields.push(field);
      pending.push({ type: 'record', line: recordLine, fields, ...counted });
    }
    invalid = 0;
    field = '';
    fields = [];
    inRecord = false;
    state = 'fieldStart';
  };

  for await (let chunk of chunks) {
    if (firstChunk && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      firstChunk = false;
    }
    const n = chunk.length;
    // Start of the not-yet-copied part of the current field within this chunk.
    let start = 0;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === invalidChar) invalid++;
      const isBreak = c === LF || c === CR;
      const inQuotedContent = state === 'quoted';
      switch (state) {
        case 'fieldStart':
          if (isBreak) {
            // A break right after a delimiter ends a record whose last field is empty;
            // a break with nothing before it is an empty line (or the LF of a CRLF).
            endRecord();
            break;
          }
          if (!inRecord) {
            inRecord = true;
            recordLine = line;
          }
          if (c === QUOTE) {
            state = 'quoted';
            start = i + 1;
          } else if (c === DELIMITER) {
            fields.push('');
          } else {
            state = 'unquoted';
            start = i;
          }
          break;
        case 'unquoted':
          if (c === DELIMITER) {
            fields.push(field + chunk.slice(start, i));
            field = '';
            state = 'fieldStart';
          } else if (isBreak) {
            field += chunk.slice(start, i);
            endRecord();
          }
          break;
        case 'quoted':
          if (c === QUOTE) {
            field += chunk.slice(start, i);
            state = 'quoteInQuoted';
          }
          break;
        case 'quoteInQuoted':
          if (c === QUOTE) {
            field += '"';
            state = 'quoted';
            start = i + 1;
          } else if (c === DELIMITER) {
            fields.push(field);
            field = '';
            state = 'fieldStart';
          } else if (isBreak) {
            endRecord();
          } else {
            badMessage = `unexpected character ${JSON.stringify(chunk[i])} after a closing quote (field ${fields.length + 1}); a quote inside a quoted field must be doubled`;
            state = 'skipToLineEnd';
          }
          break;
        case 'skipToLineEnd':
          if (isBreak) endRecord();
          break;
      }
      // Lines are numbered as grep, sed and wc count them: by LF. A CR that ends a record
      // also counts (so files with CR-only line ends get distinct lines); a CR inside a quoted
      // field does not (ISOT has titles with runs of bare CRs).
      const countedCR = c === CR && !inQuotedContent;
      if (countedCR || (c === LF && !lastWasCountedCR)) line++;
      lastWasCountedCR = countedCR;
      if (pending.length > 0) {
        yield* pending;
        pending.length = 0;
      }
    }
    if (state === 'unquoted' || state === 'quoted') field += chunk.slice(start);
  }

  // `as State`: TypeScript cannot see that the loop above changes `state`.
  if ((state as State) === 'quoted') {
    yield {
      type: 'malformed',
      line: recordLine,
      message: 'quoted field is never closed (unterminated quote); it runs to the end of the file',
      ...(invalid > 0 ? { invalid } : {}),
    };
    return;
  }
  endRecord();
  yield* pending;
}
