import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../src/text/tokenizer.js';
import { FndError } from '../../src/util/errors.js';
import { TOKENIZER_DIR, VOCAB } from './helpers.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fnd-tok-'));
}

describe('loadTokenizer', () => {
  it('loads a vocab.txt and knows the special tokens', async () => {
    const tok = await loadTokenizer(VOCAB);
    expect(tok.vocabSize).toBe(30522);
    expect(tok.specialTokenIds).toEqual({ cls: 101, sep: 102, pad: 0, unk: 100, mask: 103 });
    expect(tok.files).toEqual([VOCAB]);
    expect(tok.encode('Hello, World!').tokens).toEqual(['[CLS]', 'hello', ',', 'world', '!', '[SEP]']);
  });

  it('loads a tokenizer.json and gives the same ids', async () => {
    const fromJson = await loadTokenizer(join(TOKENIZER_DIR, 'bert-base-uncased-tokenizer.json'));
    const fromVocab = await loadTokenizer(VOCAB);
    const text = 'Café naïve résumé — "[CLS]" 北京 ΟΔΟΣ';
    expect(fromJson.encode(text).inputIds).toEqual(fromVocab.encode(text).inputIds);
    expect(fromJson.vocabSize).toBe(30522);
  });

  it('prefers tokenizer.json in a folder and honours tokenizer_config.json beside vocab.txt', async () => {
    const dir = tempDir();
    copyFileSync(VOCAB, join(dir, 'vocab.txt'));
    const uncased = await loadTokenizer(dir);
    expect(uncased.encode('Hello').inputIds).toEqual([101, 7592, 102]);
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false }));
    const cased = await loadTokenizer(dir);
    // "Hello" is not in the uncased vocabulary: cased lookup splits it differently.
    expect(cased.encode('Hello').inputIds).not.toEqual([101, 7592, 102]);
    expect(cased.tokenize('Hello')).toEqual(['[UNK]']);
    expect(cased.files).toEqual([join(dir, 'vocab.txt'), join(dir, 'tokenizer_config.json')]);
    // strip_accents false with lowercasing keeps "é", which this vocabulary cannot spell.
    expect(uncased.tokenize('café')).toEqual(['cafe']);
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ strip_accents: false }));
    expect((await loadTokenizer(dir)).tokenize('café')).toEqual(['[UNK]']);
  });

  it('names the path of a missing vocabulary', async () => {
    const missing = join(tempDir(), 'nope', 'vocab.txt');
    await expect(loadTokenizer(missing)).rejects.toThrow(FndError);
    await expect(loadTokenizer(missing)).rejects.toThrow(missing);
  });

  it('names a folder without tokenizer files', async () => {
    const dir = tempDir();
    await expect(loadTokenizer(dir)).rejects.toThrow(`tokenizer folder ${dir} holds neither tokenizer.json nor vocab.txt`);
  });

  it('rejects a vocabulary without [UNK], naming the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'vocab.txt'), '[PAD]\n[CLS]\n[SEP]\nhello\n');
    await expect(loadTokenizer(join(dir, 'vocab.txt'))).rejects.toThrow(/unk token \[UNK\] is not in the vocabulary/);
  });
});

describe('encode', () => {
  it('maps empty and non-string text to [CLS] [SEP]', async () => {
    const tok = await loadTokenizer(VOCAB);
    for (const text of ['', null, undefined, 42, { a: 1 }]) {
      expect(tok.encode(text).inputIds).toEqual([101, 102]);
    }
  });

  it('truncates keeping [SEP] last and pads to max_length', async () => {
    const tok = await loadTokenizer(VOCAB);
    const long = tok.encode('one two three four five six', { maxLength: 5 });
    expect(long.tokens).toEqual(['[CLS]', 'one', 'two', 'three', '[SEP]']);
    expect(long.untruncatedLength).toBe(8);
    expect(long.length).toBe(5);
    const padded = tok.encode('one two', { maxLength: 6, padding: 'max_length' });
    expect(padded.inputIds).toEqual([101, 2028, 2048, 102, 0, 0]);
    expect(padded.attentionMask).toEqual([1, 1, 1, 1, 0, 0]);
    expect(padded.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0]);
    expect(padded.length).toBe(4);
    // Without truncation a longer text stays whole, as Hugging Face does.
    expect(tok.encode('one two three four five six', { maxLength: 5, truncation: false }).length).toBe(8);
  });

  it('pads a batch to its longest row', async () => {
    const tok = await loadTokenizer(VOCAB);
    const batch = tok.encodeBatch(['one', 'one two three', null], { padding: 'longest' });
    expect(batch.map((e) => e.inputIds)).toEqual([
      [101, 2028, 102, 0, 0],
      [101, 2028, 2048, 2093, 102],
      [101, 102, 0, 0, 0],
    ]);
    expect(batch.map((e) => e.attentionMask[2])).toEqual([1, 1, 0]);
    const none = tok.encodeBatch(['one', 'one two three']);
    expect(none.map((e) => e.inputIds.length)).toEqual([3, 5]);
  });

  it('rejects impossible options with one clear message', async () => {
    const tok = await loadTokenizer(VOCAB);
    expect(() => tok.encode('x', { maxLength: 2 })).toThrow('max_length must be an integer above 2');
    expect(() => tok.encode('x', { padding: 'max_length' })).toThrow("padding 'max_length' needs max_length");
  });
});

describe('saveTo', () => {
  it('writes the files save_pretrained writes, and they load back to the same ids', async () => {
    const tok = await loadTokenizer(VOCAB);
    const dir = tempDir();
    const written = await tok.saveTo(dir);
    expect(written.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    expect(readFileSync(join(dir, 'vocab.txt'), 'utf8')).toBe(readFileSync(VOCAB, 'utf8'));
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
    expect(config).toMatchObject({ do_lower_case: true, tokenizer_class: 'BertTokenizer', cls_token: '[CLS]', model_max_length: 512 });
    expect(config.added_tokens_decoder['101'].content).toBe('[CLS]');
    expect(JSON.parse(readFileSync(join(dir, 'special_tokens_map.json'), 'utf8'))).toEqual({
      cls_token: '[CLS]',
      mask_token: '[MASK]',
      pad_token: '[PAD]',
      sep_token: '[SEP]',
      unk_token: '[UNK]',
    });
    const reloaded = await loadTokenizer(dir);
    expect(reloaded.files[0]).toBe(join(dir, 'tokenizer.json'));
    const text = 'Saved tokenizers must agree: ΟΔΟΣ 北京 naïve';
    expect(reloaded.encode(text).inputIds).toEqual(tok.encode(text).inputIds);
  });
});
