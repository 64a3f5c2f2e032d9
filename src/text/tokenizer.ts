/**
 * BERT WordPiece tokenisation identical to Hugging Face's (Rust `tokenizers`, as used by
 * BertTokenizerFast), on top of the pure-JS `@huggingface/tokenizers` package.
 *
 * The package runs the pipeline (added-token splitting, pre-tokeniser, WordPiece, template);
 * this wrapper swaps in a normaliser and pre-tokeniser that match Rust where the package does
 * not (see tokenizer/normalizer.ts), memoises WordPiece per word for speed, and adds what the
 * package lacks: truncation that keeps [SEP] last, padding, batch encoding, saving.
 *
 * Non-string text: `null`, `undefined`, numbers, booleans and objects all encode as the empty
 * text, i.e. `[CLS] [SEP]` (the notebook mapped None to ""). Callers that must not lose data
 * (the tokenize stage) count such rows and say so.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { FndConfigError, FndModelError } from '../util/errors.js';
import type { BertOptions, TokenizerJson } from './tokenizer/bert-json.js';
import { readTokenizerSource, type LoadTokenizerOptions, type TokenizerSource } from './tokenizer/load.js';
import { bertNormalize, type BertNormalizerOptions } from './tokenizer/normalizer.js';
import { bertPreTokenize } from './tokenizer/pre-tokenizer.js';
import { saveTokenizerFiles } from './tokenizer/save.js';

export type { LoadTokenizerOptions } from './tokenizer/load.js';
export type { BertOptions } from './tokenizer/bert-json.js';

export type Padding = 'max_length' | 'longest' | 'none';

export interface EncodeOptions {
  /** Maximum number of tokens, special tokens included. */
  maxLength?: number;
  /** Cut to `maxLength`, keeping the closing [SEP] (default: true when `maxLength` is given). */
  truncation?: boolean;
  /** Default 'none'. 'max_length' needs `maxLength`; 'longest' pads a batch to its longest row. */
  padding?: Padding;
}

export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
  tokens: string[];
  /** Tokens before padding (special tokens included). */
  length: number;
  /** Tokens the text would have had without truncation (special tokens included). */
  untruncatedLength: number;
}

export interface SpecialTokenIds {
  cls: number;
  sep: number;
  pad: number;
  unk: number;
  mask?: number;
}

/** Words memoised per tokenizer; bounded so a huge corpus cannot grow it without limit. */
const WORD_CACHE_LIMIT = 200_000;

export class BertTokenizer {
  /** Rows an embedding matrix needs: highest id + 1. */
  readonly vocabSize: number;
  readonly specialTokenIds: SpecialTokenIds;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  /** Absolute paths of the files it was loaded from (hash them to fingerprint the tokenizer). */
  readonly files: string[];
  /** The path or Hub id it was loaded from. */
  readonly source: string;
  readonly options: BertOptions;

  private readonly inner: Tokenizer;
  private readonly tokenToIdMap: Map<string, number>;
  private readonly idToTokenList: string[];
  private readonly json: TokenizerJson;
  /** How many special tokens the template adds to one sequence ([CLS] and [SEP]: 2). */
  private readonly specialCount: number;

  constructor(source: TokenizerSource, origin: string) {
    this.source = origin;
    this.files = source.files;
    this.options = source.options;
    this.json = source.json;
    try {
      this.inner = new Tokenizer(source.json, {});
    } catch (error) {
      throw new FndModelError(`tokenizer ${source.files[0]} cannot be loaded: ${(error as Error).message}`);
    }
    const model = this.inner.model;
    if (!model) throw new FndModelError(`tokenizer ${source.files[0]} has no model`);
    this.replaceBertComponents(source.json);
    this.memoiseWordPiece();
    this.tokenToIdMap = model.tokens_to_ids;
    this.idToTokenList = model.vocab;
    this.vocabSize = model.vocab.length;
    const { special } = source.options;
    const idOf = (name: string, role: string): number => {
      const id = this.tokenToIdMap.get(name);
      if (id === undefined) throw new FndModelError(`tokenizer ${source.files[0]}: the ${role} token ${name} is not in the vocabulary`);
      return id;
    };
    this.specialTokenIds = {
      cls: idOf(special.cls, 'cls'),
      sep: idOf(special.sep, 'sep'),
      pad: idOf(special.pad, 'pad'),
      unk: idOf(special.unk, 'unk'),
      mask: this.tokenToIdMap.get(special.mask),
    };
    this.clsTokenId = this.specialTokenIds.cls;
    this.sepTokenId = this.specialTokenIds.sep;
    this.padTokenId = this.specialTokenIds.pad;
    this.unkTokenId = this.specialTokenIds.unk;
    this.specialCount = this.inner.post_processor ? this.inner.post_processor([], null, true).tokens.length : 0;
  }

  /**
   * Makes the package's BERT normaliser and pre-tokeniser behave exactly as Rust's. The
   * package's subpath types do not resolve under NodeNext, so its instances are patched in
   * place rather than subclassed.
   */
  private replaceBertComponents(json: TokenizerJson): void {
    const normalizerConfig = json.normalizer as Record<string, unknown> | null | undefined;
    const normalizer = this.inner.normalizer as unknown as { normalize(text: string): string } | null;
    if (normalizerConfig?.type === 'BertNormalizer' && normalizer) {
      const options: BertNormalizerOptions = {
        cleanText: normalizerConfig.clean_text !== false,
        handleChineseChars: normalizerConfig.handle_chinese_chars !== false,
        stripAccents: typeof normalizerConfig.strip_accents === 'boolean' ? normalizerConfig.strip_accents : null,
        lowercase: normalizerConfig.lowercase !== false,
      };
      normalizer.normalize = (text) => bertNormalize(text, options);
    }
    const preTokenizerConfig = json.pre_tokenizer as Record<string, unknown> | null | undefined;
    const preTokenizer = this.inner.pre_tokenizer as unknown as { pre_tokenize_text(text: string): string[] } | null;
    if (preTokenizerConfig?.type === 'BertPreTokenizer' && preTokenizer) {
      preTokenizer.pre_tokenize_text = bertPreTokenize;
    }
  }

  /** Articles repeat words constantly; WordPiece each distinct word once. */
  private memoiseWordPiece(): void {
    const model = this.inner.model!;
    const original = model.encode.bind(model);
    const cache = new Map<string, string[]>();
    model.encode = (words: string[]): string[] => {
      const out: string[] = [];
      for (const word of words) {
        let pieces = cache.get(word);
        if (pieces === undefined) {
          pieces = original([word]) as string[];
          if (cache.size < WORD_CACHE_LIMIT) cache.set(word, pieces);
        }
        for (const piece of pieces) out.push(piece);
      }
      return out;
    };
  }

  /** Word pieces of `text`, without special tokens and without truncation. */
  tokenize(text: unknown): string[] {
    if (typeof text !== 'string' || text.length === 0) return [];
    return this.inner.tokenize(text, { add_special_tokens: false });
  }

  encode(text: unknown, options: EncodeOptions = {}): Encoding {
    const padding = options.padding ?? 'none';
    const { maxLength } = options;
    const truncation = options.truncation ?? maxLength !== undefined;
    this.checkOptions(maxLength, truncation, padding);
    let pieces = this.tokenize(text);
    const untruncatedLength = pieces.length + this.specialCount;
    if (truncation && maxLength !== undefined && untruncatedLength > maxLength) {
      pieces = pieces.slice(0, maxLength - this.specialCount);
    }
    const processed = this.inner.post_processor
      ? this.inner.post_processor(pieces, null, true)
      : { tokens: pieces, token_type_ids: undefined };
    const tokens = processed.tokens;
    const inputIds = tokens.map((token: string) => this.tokenToIdMap.get(token) ?? this.unkTokenId);
    const tokenTypeIds = processed.token_type_ids ?? new Array<number>(tokens.length).fill(0);
    const encoding: Encoding = {
      inputIds,
      attentionMask: new Array<number>(tokens.length).fill(1),
      tokenTypeIds,
      tokens,
      length: tokens.length,
      untruncatedLength,
    };
    if (padding === 'max_length' && maxLength !== undefined) padEncoding(encoding, maxLength, this.padTokenId, this.padToken);
    return encoding;
  }

  encodeBatch(texts: readonly unknown[], options: EncodeOptions = {}): Encoding[] {
    const padding = options.padding ?? 'none';
    const encodings = texts.map((text) => this.encode(text, { ...options, padding: padding === 'max_length' ? 'max_length' : 'none' }));
    if (padding === 'longest') {
      const longest = encodings.reduce((max, e) => Math.max(max, e.length), 0);
      for (const encoding of encodings) padEncoding(encoding, longest, this.padTokenId, this.padToken);
    }
    return encodings;
  }

  tokenToId(token: string): number | undefined {
    return this.tokenToIdMap.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenList[id];
  }

  get padToken(): string {
    return this.options.special.pad;
  }

  /** What identifies this tokenizer in artifacts and model folders. */
  describe(): Record<string, string | number | boolean | null> {
    return {
      source: this.source,
      vocabSize: this.vocabSize,
      doLowerCase: this.options.doLowerCase,
      stripAccents: this.options.stripAccents,
      tokenizeChineseChars: this.options.tokenizeChineseChars,
      clsTokenId: this.clsTokenId,
      sepTokenId: this.sepTokenId,
      padTokenId: this.padTokenId,
      unkTokenId: this.unkTokenId,
    };
  }

  /** Writes vocab.txt, tokenizer.json, tokenizer_config.json, special_tokens_map.json; returns their paths. */
  saveTo(dir: string): Promise<string[]> {
    return saveTokenizerFiles(dir, this.json, this.options, this.idToTokenList);
  }

  private checkOptions(maxLength: number | undefined, truncation: boolean, padding: Padding): void {
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength <= this.specialCount)) {
      throw new FndConfigError(`max_length must be an integer above ${this.specialCount} (room for the special tokens), got ${maxLength}`);
    }
    if (padding === 'max_length' && maxLength === undefined) throw new FndConfigError(`padding 'max_length' needs max_length`);
    if (truncation && maxLength === undefined) throw new FndConfigError('truncation needs max_length');
    if (!['max_length', 'longest', 'none'].includes(padding)) {
      throw new FndConfigError(`padding must be 'max_length', 'longest' or 'none', got ${JSON.stringify(padding)}`);
    }
  }
}

function padEncoding(encoding: Encoding, to: number, padId: number, padToken: string): void {
  for (let i = encoding.inputIds.length; i < to; i++) {
    encoding.inputIds.push(padId);
    encoding.attentionMask.push(0);
    encoding.tokenTypeIds.push(0);
    encoding.tokens.push(padToken);
  }
}

/**
 * Loads a BERT tokenizer from a `vocab.txt`, a `tokenizer.json`, a model folder (tokenizer.json
 * preferred, else vocab.txt; a `tokenizer_config.json` beside it is honoured) or a Hub id
 * (looked up in the Hugging Face cache, downloaded when allowed).
 */
export async function loadTokenizer(pathOrId: string, options: LoadTokenizerOptions = {}): Promise<BertTokenizer> {
  const source = await readTokenizerSource(pathOrId, options);
  return new BertTokenizer(source, pathOrId);
}
