/**
 * The `tokenizer.json` structure Hugging Face writes for a BERT fast tokenizer, built in memory
 * from a `vocab.txt` and the options of `tokenizer_config.json`. The same object is what
 * `saveTo` writes, so a saved model loads in Python's transformers unchanged.
 */

/** Special-token names, as `tokenizer_config.json` spells them (`cls_token`, ...). */
export interface SpecialTokenNames {
  unk: string;
  sep: string;
  pad: string;
  cls: string;
  mask: string;
}

export const DEFAULT_SPECIAL_TOKENS: SpecialTokenNames = {
  unk: '[UNK]',
  sep: '[SEP]',
  pad: '[PAD]',
  cls: '[CLS]',
  mask: '[MASK]',
};

/** The BERT options of `tokenizer_config.json`, with Hugging Face's defaults. */
export interface BertOptions {
  doLowerCase: boolean;
  /** null = follow `doLowerCase`, as Hugging Face does. */
  stripAccents: boolean | null;
  tokenizeChineseChars: boolean;
  special: SpecialTokenNames;
  /** `model_max_length`, written back when saving. */
  modelMaxLength: number;
}

export const DEFAULT_BERT_OPTIONS: BertOptions = {
  doLowerCase: true,
  stripAccents: null,
  tokenizeChineseChars: true,
  special: DEFAULT_SPECIAL_TOKENS,
  modelMaxLength: 512,
};

/**
 * Parses `vocab.txt` as transformers' `load_vocab` does: one token per line, id = line index,
 * only the line break removed (a trailing "\r" of a CRLF file goes too). A duplicated token
 * keeps its last id, like Python's dict.
 */
export function parseVocab(text: string): Map<string, number> {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, index) => vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, index));
  return vocab;
}

/** Reads the BERT options out of a parsed `tokenizer_config.json` (unknown keys ignored). */
export function bertOptionsFromConfig(config: Record<string, unknown>): BertOptions {
  const bool = (key: string, fallback: boolean): boolean =>
    typeof config[key] === 'boolean' ? (config[key] as boolean) : fallback;
  const name = (key: string, fallback: string): string => {
    const value = config[key];
    if (typeof value === 'string') return value;
    // Newer configs store AddedToken dicts: {"content": "[CLS]", ...}.
    if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
      return (value as { content: string }).content;
    }
    return fallback;
  };
  const strip = config.strip_accents;
  const maxLength = config.model_max_length;
  return {
    doLowerCase: bool('do_lower_case', true),
    stripAccents: typeof strip === 'boolean' ? strip : null,
    tokenizeChineseChars: bool('tokenize_chinese_chars', true),
    special: {
      unk: name('unk_token', DEFAULT_SPECIAL_TOKENS.unk),
      sep: name('sep_token', DEFAULT_SPECIAL_TOKENS.sep),
      pad: name('pad_token', DEFAULT_SPECIAL_TOKENS.pad),
      cls: name('cls_token', DEFAULT_SPECIAL_TOKENS.cls),
      mask: name('mask_token', DEFAULT_SPECIAL_TOKENS.mask),
    },
    // Some configs carry 1e30 ("no limit"); keep only sensible integers.
    modelMaxLength: typeof maxLength === 'number' && Number.isInteger(maxLength) && maxLength < 1e9 ? maxLength : 512,
  };
}

export type TokenizerJson = Record<string, unknown> & { model: Record<string, unknown> };

/** Special tokens in id order, the order Hugging Face lists `added_tokens` in. */
function specialTokensById(vocab: Map<string, number>, special: SpecialTokenNames): Array<[string, number]> {
  const seen = new Map<string, number>();
  for (const token of [special.pad, special.unk, special.cls, special.sep, special.mask]) {
    const id = vocab.get(token);
    if (id !== undefined) seen.set(token, id);
  }
  return [...seen].sort((a, b) => a[1] - b[1]);
}

export function buildBertTokenizerJson(vocab: Map<string, number>, options: BertOptions): TokenizerJson {
  const { special } = options;
  const clsId = vocab.get(special.cls);
  const sepId = vocab.get(special.sep);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokensById(vocab, special).map(([content, id]) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: options.tokenizeChineseChars,
      strip_accents: options.stripAccents,
      lowercase: options.doLowerCase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: special.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: special.sep, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: special.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: special.sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: special.sep, type_id: 1 } },
      ],
      special_tokens: {
        [special.cls]: { id: special.cls, ids: [clsId], tokens: [special.cls] },
        [special.sep]: { id: special.sep, ids: [sepId], tokens: [special.sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: special.unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}
