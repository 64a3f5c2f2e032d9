/**
 * Reading JSON Lines files (plain or gzip): one JSON object per line, each tagged with its line.
 * Empty lines are skipped; a line that is not a JSON object, or holds bytes invalid in the
 * encoding, comes out as a `malformed` event (policy belongs to the caller).
 */
import { INVALID_CHAR, type TextEncoding } from './decode.js';
import { openText, takeInvalid } from './csv.js';

export type JsonlRowEvent =
  | { type: 'row'; line: number; values: Record<string, unknown> }
  | { type: 'malformed'; line: number; column?: number; message: string };

export interface JsonlFile {
  path: string;
  gzip: boolean;
  rows: AsyncGenerator<JsonlRowEvent>;
}

const INVALID = String.fromCharCode(INVALID_CHAR);

export async function openJsonl(path: string, options: { signal?: AbortSignal; encoding?: TextEncoding } = {}): Promise<JsonlFile> {
  const text = await openText(path, options.encoding ?? 'utf-8', options.signal);
  async function* rows(): AsyncGenerator<JsonlRowEvent> {
    let line = 0;
    let rest = '';
    const parse = (raw: string): JsonlRowEvent | undefined => {
      line++;
      const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      let count = 0;
      for (let at = content.indexOf(INVALID); at !== -1; at = content.indexOf(INVALID, at + 1)) count++;
      const bad = takeInvalid(text.invalid, count);
      if (bad) return { type: 'malformed', line: bad.line, column: bad.column, message: bad.message };
      if (content.trim() === '') return undefined;
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch (error) {
        return { type: 'malformed', line, message: `not valid JSON (${(error as Error).message})` };
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return { type: 'malformed', line, message: `expected a JSON object, found ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` };
      }
      return { type: 'row', line, values: value as Record<string, unknown> };
    };
    for await (const chunk of text.chunks) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const raw of lines) {
        const event = parse(raw);
        if (event) yield event;
      }
    }
    if (rest !== '') {
      const event = parse(rest);
      if (event) yield event;
    }
  }
  return { path, gzip: text.gzip, rows: rows() };
}
