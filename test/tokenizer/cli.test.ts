import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import tokenize from '../../src/cli/commands/tokenize.js';
import type { CliIO, ParsedArgs } from '../../src/cli/command.js';
import { FIXTURES, VOCAB } from './helpers.js';

async function run(options: ParsedArgs['options'], stdin = ''): Promise<{ code: number; lines: unknown[] }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const input = new PassThrough();
  input.end(stdin);
  const io: CliIO = { stdout, stderr: new PassThrough(), stdin: input, cwd: FIXTURES, env: {}, isTTY: false };
  const code = await tokenize.run({ options, positionals: {} }, io);
  const text = Buffer.concat(chunks).toString('utf8');
  return { code, lines: text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) };
}

describe('fnd tokenize', () => {
  it('tokenizes --text', async () => {
    const { code, lines } = await run({ tokenizer: VOCAB, text: 'Hello, World!' });
    expect(code).toBe(0);
    expect(lines).toEqual([{ ids: [101, 7592, 1010, 2088, 999, 102], tokens: ['[CLS]', 'hello', ',', 'world', '!', '[SEP]'] }]);
  });

  it('reads JSON lines from stdin, truncating with [SEP] last, relative to cwd', async () => {
    const { lines } = await run({ tokenizer: 'vocab/vocab.txt', 'max-length': '4' }, '{"text": "one two three"}\n\n{"text": null}\n');
    expect(lines).toEqual([
      { ids: [101, 2028, 2048, 102], tokens: ['[CLS]', 'one', 'two', '[SEP]'] },
      { ids: [101, 102], tokens: ['[CLS]', '[SEP]'] },
    ]);
  });

  it('names the line of bad JSON', async () => {
    await expect(run({ tokenizer: VOCAB }, '{"text": "ok"}\n{oops\n')).rejects.toThrow(/^<stdin>:2:1: not valid JSON/);
    await expect(run({ tokenizer: VOCAB }, '{"title": "x"}\n')).rejects.toThrow('<stdin>:1:1: expected a JSON object with a "text" field');
  });

  it('rejects a missing --tokenizer and a bad --max-length', async () => {
    await expect(run({})).rejects.toThrow('fnd tokenize needs --tokenizer');
    await expect(run({ tokenizer: VOCAB, 'max-length': 'ten' })).rejects.toThrow('--max-length must be an integer');
  });
});
