/**
 * Exactness against Hugging Face's Rust tokenizers: the shared fixture cases, plus generated
 * strings checked against the Rust package (devDependency, the oracle) for the corners where
 * the pure-JS package alone differs (final sigma, astral CJK, unassigned code points, ...).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tokenizers from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, type BertTokenizer } from '../../src/text/tokenizer.js';
import { buildBertTokenizerJson, DEFAULT_BERT_OPTIONS, parseVocab, type BertOptions } from '../../src/text/tokenizer/bert-json.js';
import { createRng } from '../../src/util/rng.js';
import { readJsonl, TOKENIZER_DIR, VOCAB } from './helpers.js';

const inputs = readJsonl<{ text: string }>(join(TOKENIZER_DIR, 'inputs.jsonl')).map((row) => row.text);

let tokenizer: BertTokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(VOCAB);
});

describe('shared fixtures (Rust tokenizers 0.23.2, bert-base-uncased)', () => {
  it('has 331 inputs', () => {
    expect(inputs).toHaveLength(331);
  });
  for (const maxLength of [512, 128]) {
    it(`matches every expected-ids-max${maxLength} line exactly`, () => {
      const expected = readJsonl<{ ids: number[] }>(join(TOKENIZER_DIR, `expected-ids-max${maxLength}.jsonl`));
      expect(expected).toHaveLength(inputs.length);
      const mismatches = inputs
        .map((text, i) => ({ i, got: tokenizer.encode(text, { maxLength }).inputIds, want: expected[i]!.ids }))
        .filter(({ got, want }) => JSON.stringify(got) !== JSON.stringify(want))
        .map(({ i }) => i);
      expect(mismatches).toEqual([]);
    });
  }
});

// Code points that stress the normaliser and pre-tokeniser.
const POOL = [
  ...'abcXYZ019 .,!?\'"-_()[]#$%&*+/:;<=>@\\^`{|}~',
  'Σ', 'σ', 'ς', 'Ο', 'Δ', 'İ', 'ß', 'ẞ', 'ǅ', 'ﬁ', 'Å', 'é', 'e\u0301', '\u0327', '\u0345', 'Ⅻ', '①', '𝐀',
  '北', '京', '\u3400', '\u4DBF', '\u4DC0', '\u{20000}', '\u{2A6DF}', '\u{2B81F}', '\u{2B820}', '\u{2B920}', '\u{2CEAF}', '\u{2F800}', '\uF900', 'タ', '한',
  '\u0000', '\u0007', '\u001B', '\u007F', '\u0085', '\u00A0', '\u00AD', '\u1680', '\u180E', '\u2000', '\u200B', '\u200D', '\u2028', '\u202F', '\u3000', '\uFEFF', '\uFFFD',
  '\t', '\n', '\r', '\u000B', '\u000C', '\u0378', '\u{E0001}', '\uE000', '\u{10FFFF}', '🤖', '👍🏽', '«', '»', '¿', '\u2E2F', '\u0640', '\u066A', '\u30FB', '＂', 'ｶﾞ',
];

function randomTexts(count: number, seed: number): string[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const n = 1 + rng.int(12);
    return Array.from({ length: n }, () => (rng.next() < 0.3 ? ' ' : POOL[rng.int(POOL.length)]!)).join('');
  });
}

async function compareWithRust(options: BertOptions, texts: string[]): Promise<string[]> {
  const json = buildBertTokenizerJson(parseVocab(readFileSync(VOCAB, 'utf8')), options);
  const rust = tokenizers.Tokenizer.fromString(JSON.stringify(json));
  const { BertTokenizer } = await import('../../src/text/tokenizer.js');
  const ours = new BertTokenizer({ json, options, files: [VOCAB] }, VOCAB);
  const mismatches: string[] = [];
  for (const text of texts) {
    const want = (await rust.encode(text)).getIds();
    const got = ours.encode(text).inputIds;
    if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${JSON.stringify(text)}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  }
  return mismatches;
}

describe('generated strings against the Rust oracle', () => {
  it('agrees on the corners where the JS package alone differs', async () => {
    expect(await compareWithRust(DEFAULT_BERT_OPTIONS, ['ΟΔΟΣ ΟΔΟΣ.', '\u{20000}a\u{2B820}b\u{2B920}', 'x\u0378y', 'a\u0085b'])).toEqual([]);
  });
  const configs: Array<[string, Partial<BertOptions>]> = [
    ['uncased (bert-base-uncased)', {}],
    ['cased', { doLowerCase: false }],
    ['lowercase without stripping accents', { stripAccents: false }],
    ['cased, accents stripped, no CJK splitting', { doLowerCase: false, stripAccents: true, tokenizeChineseChars: false }],
  ];
  configs.forEach(([name, overrides], k) => {
    it(`agrees on 300 random strings: ${name}`, async () => {
      expect(await compareWithRust({ ...DEFAULT_BERT_OPTIONS, ...overrides }, randomTexts(300, 17 + k))).toEqual([]);
    });
  });
});
