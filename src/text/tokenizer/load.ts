/**
 * Reads a tokenizer's files from a `vocab.txt`, a `tokenizer.json`, a model folder or a Hub id,
 * and turns them into one `tokenizer.json` object plus the BERT options and special-token names.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveHubFolder, type DownloadProgress } from '../../hub/index.js';
import { FndModelError } from '../../util/errors.js';
import {
  bertOptionsFromConfig,
  buildBertTokenizerJson,
  DEFAULT_BERT_OPTIONS,
  parseVocab,
  type BertOptions,
  type TokenizerJson,
} from './bert-json.js';

export const TOKENIZER_FILES = ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'];

export interface LoadTokenizerOptions {
  /** Allow downloading a Hub id that is not in the local cache (default true). */
  download?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface TokenizerSource {
  json: TokenizerJson;
  options: BertOptions;
  /** Absolute paths of the files read, in a stable order (for hashing). */
  files: string[];
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (code ?? String(error));
    throw new FndModelError(`cannot read ${what} ${path}: ${reason}`);
  }
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  const text = await readText(path, what);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FndModelError(`${what} is not valid JSON (${(error as Error).message})`, { location: { file: path } });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FndModelError(`${what} must hold a JSON object`, { location: { file: path } });
  }
  return parsed as Record<string, unknown>;
}

interface TokenizerFiles {
  /** tokenizer.json or vocab.txt. */
  main: string;
  /** tokenizer_config.json next to it, when there is one. */
  config?: string;
}

/** Resolves `pathOrId` to the tokenizer files it names, without reading them. */
async function findTokenizerFiles(pathOrId: string, options: LoadTokenizerOptions): Promise<TokenizerFiles> {
  if (typeof pathOrId !== 'string' || pathOrId.trim() === '') {
    throw new FndModelError('tokenizer: expected a path to vocab.txt / tokenizer.json / a model folder, or a Hub id');
  }
  const resolved = await resolveHubFolder(pathOrId, {
    files: ['vocab.txt'],
    optionalFiles: ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'],
    download: options.download,
    onProgress: options.onProgress,
    cwd: options.cwd,
    env: options.env,
    what: 'tokenizer',
  });
  const isDir = statSync(resolved).isDirectory();
  const dir = isDir ? resolved : dirname(resolved);
  let main: string;
  if (isDir) {
    if (existsSync(join(dir, 'tokenizer.json'))) main = join(dir, 'tokenizer.json');
    else if (existsSync(join(dir, 'vocab.txt'))) main = join(dir, 'vocab.txt');
    else throw new FndModelError(`tokenizer folder ${dir} holds neither tokenizer.json nor vocab.txt`);
  } else {
    main = resolved;
  }
  // A tokenizer_config.json next to the vocabulary carries do_lower_case and the special-token names.
  const config = join(dir, 'tokenizer_config.json');
  return existsSync(config) ? { main, config } : { main };
}

/**
 * The files a tokenizer is read from, in a stable order (what a cache signature hashes), found
 * without parsing them or building the tokenizer: a cached re-run needs no more.
 */
export async function tokenizerFiles(pathOrId: string, options: LoadTokenizerOptions = {}): Promise<string[]> {
  const found = await findTokenizerFiles(pathOrId, options);
  return found.config ? [found.main, found.config] : [found.main];
}

/** Resolves `pathOrId` and reads the tokenizer files it names. */
export async function readTokenizerSource(pathOrId: string, options: LoadTokenizerOptions = {}): Promise<TokenizerSource> {
  const { main, config } = await findTokenizerFiles(pathOrId, options);
  const files = [main];
  let options_: BertOptions = DEFAULT_BERT_OPTIONS;
  if (config) {
    options_ = bertOptionsFromConfig(await readJson(config, 'tokenizer config'));
    files.push(config);
  }
  if (main.endsWith('.json')) {
    const json = await readJson(main, 'tokenizer.json');
    const model = json.model as Record<string, unknown> | undefined;
    if (!model || model.type !== 'WordPiece' || !model.vocab || typeof model.vocab !== 'object') {
      throw new FndModelError(`only WordPiece (BERT-style) tokenizers are supported; the model here is ${String(model?.type ?? 'missing')}`, {
        location: { file: main },
      });
    }
    return { json: json as TokenizerJson, options: optionsFromJson(json as TokenizerJson, options_), files };
  }
  const vocab = parseVocab(await readText(main, 'vocabulary'));
  if (vocab.size === 0) throw new FndModelError(`vocabulary ${main} is empty`);
  return { json: buildBertTokenizerJson(vocab, options_), options: options_, files };
}

/** A tokenizer.json's normalizer is the truth for casing; keep the options in step for saving. */
function optionsFromJson(json: TokenizerJson, fallback: BertOptions): BertOptions {
  const normalizer = json.normalizer as Record<string, unknown> | null | undefined;
  if (!normalizer || normalizer.type !== 'BertNormalizer') return fallback;
  return {
    ...fallback,
    doLowerCase: normalizer.lowercase !== false,
    stripAccents: typeof normalizer.strip_accents === 'boolean' ? normalizer.strip_accents : null,
    tokenizeChineseChars: normalizer.handle_chinese_chars !== false,
  };
}
