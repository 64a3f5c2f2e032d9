/** JSON lines `{"text": ...}` or `{"title": ..., "text": ...}` (an `id` optional) → inputs, each error naming file and line. */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { FndError } from '../util/errors.js';
import type { RawInput } from './prepare-text.js';

const EXPECTED = 'expected {"text": "..."} or {"title": "...", "text": "..."}';

export function parseInputLine(raw: string, file: string, line: number): RawInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new FndError(`not valid JSON (${(error as Error).message}); ${EXPECTED}`, { location: { file, line }, exitCode: 2 });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FndError(`not a JSON object; ${EXPECTED}`, { location: { file, line }, exitCode: 2 });
  const { title, text, id } = parsed as Record<string, unknown>;
  if (typeof text !== 'string') throw new FndError(`"text" is ${text === undefined ? 'missing' : `not a string (${JSON.stringify(text)})`}; ${EXPECTED}`, { location: { file, line }, exitCode: 2 });
  if (title !== undefined && title !== null && typeof title !== 'string') {
    throw new FndError(`"title" is not a string (${JSON.stringify(title)}); ${EXPECTED}`, { location: { file, line }, exitCode: 2 });
  }
  if (id !== undefined && typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
    throw new FndError(`"id" is not a string or a number (${JSON.stringify(id)})`, { location: { file, line }, exitCode: 2 });
  }
  // An input without its own id is known by its line in the file.
  return { ...(typeof title === 'string' ? { title } : {}), text, id: id ?? line };
}

/** Reads every input of a JSONL file (or a stream for stdin); blank lines are skipped. */
export async function readInputs(source: { file: string; stream?: NodeJS.ReadableStream }): Promise<RawInput[]> {
  if (source.stream === undefined && !existsSync(source.file)) throw new FndError(`input file not found: ${source.file}`, { exitCode: 2 });
  const input = source.stream ?? createReadStream(source.file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  const inputs: RawInput[] = [];
  let line = 0;
  for await (const raw of lines) {
    line++;
    if (raw.trim() === '') continue;
    inputs.push(parseInputLine(raw, source.file, line));
  }
  return inputs;
}
