/**
 * Writes tokenizer files the way transformers' `save_pretrained` does for BertTokenizerFast:
 * `vocab.txt`, `tokenizer.json`, `tokenizer_config.json` and `special_tokens_map.json`, so a
 * saved model folder loads in Python with `AutoTokenizer.from_pretrained(folder)`.
 */
import { mkdir } from 'node:fs/promises';
import { naming, writeFileAtomic } from '../../util/fs/index.js';
import { join } from 'node:path';
import type { BertOptions, TokenizerJson } from './bert-json.js';

export async function saveTokenizerFiles(
  dir: string,
  json: TokenizerJson,
  options: BertOptions,
  vocabById: readonly string[],
): Promise<string[]> {
  await naming(dir, () => mkdir(dir, { recursive: true }));
  const { special } = options;
  const specialTokensMap = {
    cls_token: special.cls,
    mask_token: special.mask,
    pad_token: special.pad,
    sep_token: special.sep,
    unk_token: special.unk,
  };
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const token of (json.added_tokens as Array<Record<string, unknown>> | undefined) ?? []) {
    const { id, ...rest } = token;
    addedTokensDecoder[String(id)] = {
      content: rest.content,
      lstrip: rest.lstrip ?? false,
      normalized: rest.normalized ?? false,
      rstrip: rest.rstrip ?? false,
      single_word: rest.single_word ?? false,
      special: rest.special ?? true,
    };
  }
  const tokenizerConfig = {
    added_tokens_decoder: addedTokensDecoder,
    clean_up_tokenization_spaces: true,
    ...specialTokensMap,
    do_lower_case: options.doLowerCase,
    model_max_length: options.modelMaxLength,
    strip_accents: options.stripAccents,
    tokenize_chinese_chars: options.tokenizeChineseChars,
    tokenizer_class: 'BertTokenizer',
  };
  const written: Array<[string, string]> = [
    ['vocab.txt', vocabById.join('\n') + '\n'],
    ['tokenizer.json', JSON.stringify({ ...json, truncation: null, padding: null }, null, 2) + '\n'],
    ['tokenizer_config.json', JSON.stringify(tokenizerConfig, null, 2) + '\n'],
    ['special_tokens_map.json', JSON.stringify(specialTokensMap, null, 2) + '\n'],
  ];
  for (const [name, text] of written) await writeFileAtomic(join(dir, name), text);
  return written.map(([name]) => join(dir, name));
}
