/**
 * What the Trainer trains and evaluates on: rows of token ids with a label each, batched and
 * padded on demand. A tokens artifact (readTokens, what the tokenize stage writes) is one; a
 * program can build one in memory from texts (encodeDataset), from token-id rows
 * (datasetFromRows) or from padded id matrices (datasetFromArrays).
 */
import type { TokensBatch } from '../artifacts/tokens.js';
import type { BertTokenizer } from '../text/tokenizer.js';
import { FndDataError } from '../util/errors.js';

export interface TrainingDataset {
  readonly count: number;
  /** Tokens per row before padding. */
  readonly lengths: ArrayLike<number>;
  /** Class index per row; -1 for a row without a label (refused for training and evaluation). */
  readonly labels: ArrayLike<number>;
  /** Row names for messages. */
  readonly rowIds: readonly string[];
  /** 'padded': every batch is padded to maxLength (the tokenize stage's padding "max_length"); 'ragged': to the longest row. */
  readonly header: { readonly layout: 'padded' | 'ragged'; readonly maxLength: number };
  /** The rows at `indices` padded to `padTo` (a width, or the batch's longest row). */
  batch(indices: readonly number[], padTo?: number | 'longest'): TokensBatch;
}

export interface DatasetRow {
  /** Token ids, special tokens included, unpadded. */
  ids: ArrayLike<number>;
  label: number;
  rowId?: string;
}

/** An in-memory dataset of unpadded rows; batches pad with `padId` (default 0, BERT's [PAD]). */
export function datasetFromRows(rows: readonly DatasetRow[], options: { padId?: number } = {}): TrainingDataset {
  const padId = options.padId ?? 0;
  const ids = rows.map((row, i) => {
    if (row.ids.length === 0) throw new FndDataError(`dataset row ${row.rowId ?? i} has no token ids`);
    if (!Number.isInteger(row.label)) throw new FndDataError(`dataset row ${row.rowId ?? i} has label ${JSON.stringify(row.label)}; labels are class indices (0, 1, ...)`);
    return Int32Array.from(row.ids);
  });
  const lengths = Int32Array.from(ids, (r) => r.length);
  const labels = Int32Array.from(rows, (r) => r.label);
  const maxLength = lengths.reduce((a, b) => Math.max(a, b), 0);
  return {
    count: rows.length,
    lengths,
    labels,
    rowIds: rows.map((row, i) => row.rowId ?? String(i)),
    header: { layout: 'ragged', maxLength },
    batch(indices, padTo = 'longest') {
      let width = 0;
      for (const index of indices) width = Math.max(width, lengths[index] ?? 0);
      if (typeof padTo === 'number') {
        if (padTo < width) throw new FndDataError(`dataset: cannot pad to ${padTo}, a row of the batch has ${width} tokens`);
        width = padTo;
      }
      const n = indices.length;
      const inputIds = new Int32Array(n * width).fill(padId);
      const attentionMask = new Int32Array(n * width);
      const batchLabels = new Int32Array(n);
      indices.forEach((index, row) => {
        const rowIds = ids[index];
        if (rowIds === undefined) throw new FndDataError(`dataset: row index ${index} out of range (0..${rows.length - 1})`);
        inputIds.set(rowIds, row * width);
        attentionMask.fill(1, row * width, row * width + rowIds.length);
        batchLabels[row] = labels[index]!;
      });
      return { inputIds, attentionMask, tokenTypeIds: new Int32Array(n * width), labels: batchLabels, length: width };
    },
  };
}

export type IdMatrix = number[][] | { data: Int32Array; shape: [number, number] };

/** Right-padded id matrices with their attention masks, as a Hugging Face tokenizer returns them. */
export interface ClassificationData {
  inputIds: IdMatrix;
  /** 1 for real tokens, 0 for padding at the end of the row; without it every id is a real token. */
  attentionMask?: IdMatrix;
  labels: ArrayLike<number>;
}

function rowsOf(m: IdMatrix, what: string): number[][] {
  if (Array.isArray(m)) return m;
  const [rows, cols] = m.shape;
  if (m.data.length !== rows * cols) throw new FndDataError(`${what} has ${m.data.length} values but shape [${rows}, ${cols}]`);
  return Array.from({ length: rows }, (_, r) => Array.from(m.data.subarray(r * cols, (r + 1) * cols)));
}

export function datasetFromArrays(data: ClassificationData, options: { padId?: number } = {}): TrainingDataset {
  const ids = rowsOf(data.inputIds, 'inputIds');
  const mask = data.attentionMask ? rowsOf(data.attentionMask, 'attentionMask') : undefined;
  if (data.labels.length !== ids.length) throw new FndDataError(`labels has ${data.labels.length} entries for ${ids.length} rows of inputIds`);
  const rows = ids.map((row, r) => {
    let length = row.length;
    if (mask) {
      const m = mask[r];
      if (!m || m.length !== row.length) throw new FndDataError(`attentionMask row ${r} has ${m?.length ?? 0} entries but inputIds row ${r} has ${row.length}`);
      length = m.indexOf(0) === -1 ? m.length : m.indexOf(0);
      if (m.slice(length).some((v) => v !== 0)) throw new FndDataError(`attentionMask row ${r} is not right-padded (1s then 0s)`);
    }
    return { ids: row.slice(0, length), label: data.labels[r]! };
  });
  return datasetFromRows(rows, options);
}

/** Tokenizes `texts` (truncated to maxLength, special tokens added) into a dataset with `labels`. */
export function encodeDataset(
  tokenizer: BertTokenizer,
  texts: readonly string[],
  labels: readonly number[],
  options: { maxLength: number },
): TrainingDataset {
  if (texts.length !== labels.length) throw new FndDataError(`encodeDataset: ${texts.length} texts but ${labels.length} labels`);
  const rows = texts.map((text, i) => ({ ids: tokenizer.encode(text, { maxLength: options.maxLength, truncation: true }).inputIds, label: labels[i]! }));
  return datasetFromRows(rows, { padId: tokenizer.padTokenId });
}
