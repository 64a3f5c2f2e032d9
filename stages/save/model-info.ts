import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StageUserError } from '../../src/sdk/index.js';
import { parsePreparationStep, type FndModelInfo } from '../../src/predict/fnd-json.js';

/** What save needs from a tokens header (written by the tokenize stage). */
export interface TokensHeaderInfo {
  /** Where the tokenizer was loaded from: a resolved path or a Hub id. */
  tokenizerLocation: string;
  /** The tokenizer as the spec named it. */
  given: string;
  filesSha256?: string;
  maxLength: number;
  truncation: boolean;
  textField: string;
  preparation: FndModelInfo['preparation'];
  labels?: Record<string, string>;
}

export async function tokensHeaderInfo(dir: string): Promise<TokensHeaderInfo> {
  const file = join(dir, 'header.json');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new StageUserError(`save: cannot read the tokens header ${file} (${(error as Error).message})`);
  }
  const tokenizer = (header.tokenizer ?? {}) as Record<string, unknown>;
  if (typeof tokenizer.source !== 'string') throw new StageUserError(`save: the tokens header ${file} does not name its tokenizer`);
  const preparation = Array.isArray(header.preparation) ? header.preparation : [];
  return {
    tokenizerLocation: tokenizer.source,
    given: typeof tokenizer.given === 'string' ? tokenizer.given : tokenizer.source,
    ...(typeof tokenizer.filesSha256 === 'string' ? { filesSha256: tokenizer.filesSha256 } : {}),
    maxLength: typeof header.maxLength === 'number' ? header.maxLength : Number(tokenizer.maxLength),
    truncation: tokenizer.truncation !== false,
    textField: typeof tokenizer.textField === 'string' ? tokenizer.textField : 'text',
    preparation: preparation.map((step, i) => parsePreparationStep(step, `${file}: preparation[${i}]`)),
    ...(header.labels !== undefined ? { labels: header.labels as Record<string, string> } : {}),
  };
}

/**
 * fnd.json for the saved folder: the tokens header's preparation and tokenizer win (they are what
 * the model was trained on); otherwise whatever the input model's own fnd.json said is kept.
 */
export function buildModelInfo(previous: FndModelInfo | undefined, header: TokensHeaderInfo | undefined, id2label: Record<string, string>): FndModelInfo {
  const info: FndModelInfo = { preparation: header?.preparation ?? previous?.preparation ?? [] };
  if (header !== undefined) {
    info.tokenizer = { source: header.given, max_length: header.maxLength, truncation: header.truncation, text_field: header.textField };
  } else if (previous?.tokenizer !== undefined) {
    info.tokenizer = previous.tokenizer;
  }
  // transformers' placeholder names (LABEL_0, ...) give way to the data's names (fake, real).
  const placeholders = Object.values(id2label).every((name) => /^LABEL_\d+$/.test(name));
  info.labels = placeholders ? { ...id2label, ...(previous?.labels ?? {}), ...(header?.labels ?? {}) } : { ...id2label };
  return info;
}
