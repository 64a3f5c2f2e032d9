/**
 * `fnd.json`: what a saved model folder records beyond Hugging Face's layout — the text
 * preparation the model was trained on (cleaning rules, title + text concatenation), the
 * tokenizer and its max_length, and the label names — so `fnd predict` can take raw articles.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/fs/index.js';
import { join } from 'node:path';
import { CLEAN_RULE_NAMES, type CleanRuleName } from '../text/clean.js';
import { FndError } from '../util/errors.js';

export const FND_JSON = 'fnd.json';

export interface CleanTextStep {
  stage: 'clean-text';
  field: string;
  rules: CleanRuleName[];
}

export interface ConcatStep {
  stage: 'concat-title-text';
  title_field: string;
  text_field: string;
  /** Column the joined text goes to (the tokenizer's text field). Default: text_field. */
  output_field?: string;
  separator: string;
}

export type PreparationStep = CleanTextStep | ConcatStep;

export interface TokenizerInfo {
  /** The tokenizer as the spec named it (a path or Hub id); the folder itself holds the files. */
  source: string;
  max_length: number;
  truncation: boolean;
  /** The column that was tokenized. Default "text". */
  text_field?: string;
}

export interface FndModelInfo {
  preparation: PreparationStep[];
  tokenizer?: TokenizerInfo;
  /** Label id → name, e.g. {"0": "fake", "1": "real"}. */
  labels?: Record<string, string>;
  /**
   * The files the save stage wrote into this folder (fnd.json aside). Saving again replaces and
   * removes only these; any other file in the folder belongs to someone else.
   */
  files?: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one step; `where` names it in errors (file and index). */
export function parsePreparationStep(value: unknown, where: string): PreparationStep {
  const fail = (message: string): never => {
    throw new FndError(`${where}: ${message}`);
  };
  if (!isObject(value) || typeof value.stage !== 'string') return fail('a preparation step must be an object with a "stage" name');
  const str = (key: string, fallback?: string): string => {
    const v = value[key] ?? fallback;
    if (typeof v !== 'string') fail(`"${key}" of the ${String(value.stage)} step must be a string`);
    return v as string;
  };
  if (value.stage === 'clean-text') {
    const rules = value.rules;
    if (!Array.isArray(rules) || !rules.every((rule) => (CLEAN_RULE_NAMES as readonly unknown[]).includes(rule))) {
      fail(`"rules" of the clean-text step must be a list of ${CLEAN_RULE_NAMES.join(', ')}`);
    }
    return { stage: 'clean-text', field: str('field', 'text'), rules: rules as CleanRuleName[] };
  }
  if (value.stage === 'concat-title-text') {
    const textField = str('text_field', 'text');
    return {
      stage: 'concat-title-text',
      title_field: str('title_field', 'title'),
      text_field: textField,
      output_field: str('output_field', textField),
      separator: str('separator', ' '),
    };
  }
  return fail(`unknown preparation step "${value.stage}" (fnd knows clean-text and concat-title-text); the model was prepared by a newer or custom stage`);
}

/** Validates a parsed fnd.json; `file` names it in errors. */
export function parseFndModelInfo(json: unknown, file: string): FndModelInfo {
  if (!isObject(json)) throw new FndError(`${file}: must hold a JSON object`);
  const preparation = json.preparation ?? [];
  if (!Array.isArray(preparation)) throw new FndError(`${file}: "preparation" must be a list`);
  const info: FndModelInfo = { preparation: preparation.map((step, i) => parsePreparationStep(step, `${file}: preparation[${i}]`)) };
  if (json.tokenizer !== undefined) {
    const t = json.tokenizer;
    if (!isObject(t) || typeof t.max_length !== 'number' || !Number.isInteger(t.max_length) || t.max_length < 3) {
      throw new FndError(`${file}: "tokenizer" must be {source, max_length (integer >= 3), truncation}`);
    }
    info.tokenizer = {
      source: typeof t.source === 'string' ? t.source : '',
      max_length: t.max_length,
      truncation: t.truncation !== false,
      ...(typeof t.text_field === 'string' ? { text_field: t.text_field } : {}),
    };
  }
  if (json.labels !== undefined) {
    if (!isObject(json.labels) || !Object.values(json.labels).every((v) => typeof v === 'string')) {
      throw new FndError(`${file}: "labels" must map label ids to names, e.g. {"0": "fake", "1": "real"}`);
    }
    info.labels = json.labels as Record<string, string>;
  }
  if (json.files !== undefined) {
    const plainName = (f: unknown) => typeof f === 'string' && f !== '' && f !== '.' && f !== '..' && !/[\\/]/.test(f);
    if (!Array.isArray(json.files) || !json.files.every(plainName)) {
      throw new FndError(`${file}: "files" must list plain file names (no folders)`);
    }
    info.files = json.files as string[];
  }
  return info;
}

/** The folder's fnd.json, or undefined when it has none (a plain Hugging Face model folder). */
export async function readFndModelInfo(dir: string): Promise<FndModelInfo | undefined> {
  const file = join(dir, FND_JSON);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new FndError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseFndModelInfo(json, file);
}

export async function writeFndModelInfo(dir: string, info: FndModelInfo): Promise<void> {
  await writeFileAtomic(join(dir, FND_JSON), `${JSON.stringify(info, null, 2)}\n`);
}
