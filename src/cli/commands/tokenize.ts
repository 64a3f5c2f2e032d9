/**
 * fnd tokenize --tokenizer PATH_OR_ID [--max-length N] [--text "..."]
 *
 * Without --text, reads JSON lines `{"text": ...}` from stdin. Writes one JSON line per input:
 * `{"ids": [...], "tokens": [...]}`, unpadded, truncated to N with [SEP] kept last.
 */
import { createInterface } from 'node:readline';
import { defineCommand, type CliIO } from '../command.js';
import { FndError } from '../../util/errors.js';
import { loadTokenizer, type BertTokenizer } from '../../text/tokenizer.js';

function line(tokenizer: BertTokenizer, text: unknown, maxLength: number | undefined): string {
  const encoding = tokenizer.encode(text, { maxLength });
  return JSON.stringify({ ids: encoding.inputIds, tokens: encoding.tokens }) + '\n';
}

function parseMaxLength(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 3) {
    throw new FndError(`--max-length must be an integer of at least 3, got ${JSON.stringify(value)}`, { exitCode: 2 });
  }
  return n;
}

async function fromStdin(io: CliIO, tokenizer: BertTokenizer, maxLength: number | undefined): Promise<void> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    if (raw.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new FndError(`not valid JSON (${(error as Error).message}); expected {"text": "..."}`, { location: { file: '<stdin>', line: lineNumber } });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('text' in parsed)) {
      throw new FndError('expected a JSON object with a "text" field', { location: { file: '<stdin>', line: lineNumber } });
    }
    io.stdout.write(line(tokenizer, (parsed as { text: unknown }).text, maxLength));
  }
}

export default defineCommand({
  name: 'tokenize',
  summary: 'tokenize text with a BERT tokenizer (ids identical to Hugging Face)',
  options: [
    { name: 'tokenizer', type: 'string', valueName: 'PATH_OR_ID', description: 'vocab.txt, tokenizer.json, a model folder, or a Hugging Face Hub id' },
    { name: 'max-length', type: 'string', valueName: 'N', description: 'truncate to N tokens, [SEP] kept last (default: no truncation)' },
    { name: 'text', type: 'string', valueName: 'TEXT', description: 'tokenize this text instead of reading JSON lines {"text": ...} from stdin' },
  ],
  positionals: [],
  async run(args, io) {
    const source = args.options.tokenizer;
    if (typeof source !== 'string' || source === '') {
      throw new FndError('fnd tokenize needs --tokenizer PATH_OR_ID (e.g. --tokenizer models/tinybert or --tokenizer huawei-noah/TinyBERT_General_4L_312D)', { exitCode: 2 });
    }
    const maxLength = parseMaxLength(args.options['max-length']);
    const tokenizer = await loadTokenizer(source, { cwd: io.cwd, env: io.env });
    const text = args.options.text;
    if (typeof text === 'string') io.stdout.write(line(tokenizer, text, maxLength));
    else await fromStdin(io, tokenizer, maxLength);
    return 0;
  },
});
