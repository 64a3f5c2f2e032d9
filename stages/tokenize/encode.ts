/**
 * Encodes a list of texts into one flat block of ids, the unit of work a tokenize worker does
 * (and the whole stage does in-thread for small tables).
 */
import type { BertTokenizer, Padding } from '../../src/text/tokenizer.js';

export interface EncodedBlock {
  /** Every row's ids (truncated, unpadded), concatenated. */
  ids: Int32Array;
  lengths: Int32Array;
  untruncatedLengths: Int32Array;
}

export interface EncodeSettings {
  maxLength: number;
  truncation: boolean;
  padding: Padding;
}

export function encodeBlock(
  tokenizer: BertTokenizer,
  texts: readonly unknown[],
  settings: EncodeSettings,
  onProgress?: (done: number) => void,
): EncodedBlock {
  const lengths = new Int32Array(texts.length);
  const untruncatedLengths = new Int32Array(texts.length);
  const rows: number[][] = [];
  let total = 0;
  texts.forEach((text, i) => {
    const encoding = tokenizer.encode(text, { maxLength: settings.maxLength, truncation: settings.truncation });
    rows.push(encoding.inputIds);
    lengths[i] = encoding.length;
    untruncatedLengths[i] = encoding.untruncatedLength;
    total += encoding.length;
    if (onProgress && (i + 1) % 500 === 0) onProgress(i + 1);
  });
  const ids = new Int32Array(total);
  let offset = 0;
  for (const row of rows) {
    ids.set(row, offset);
    offset += row.length;
  }
  return { ids, lengths, untruncatedLengths };
}
