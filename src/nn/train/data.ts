/**
 * Training data for fineTune: either arrays of token ids and labels held in memory, or a
 * provider that builds any batch of rows on demand (e.g. from a token-id file on disk).
 */
import { FndDataError } from '../../util/errors.js';
import type { TrainBatch } from './step.js';

export type IdMatrix = number[][] | { data: Int32Array; shape: [number, number] };

export interface ClassificationData {
  inputIds: IdMatrix;
  attentionMask?: IdMatrix;
  tokenTypeIds?: IdMatrix;
  labels: number[] | Int32Array;
}

export interface BatchProvider {
  /** Number of examples. */
  readonly size: number;
  /** The examples at `indices` (in that order) as one batch. */
  batch(indices: number[]): TrainBatch;
}

function flatten(m: IdMatrix, what: string): { data: Int32Array; rows: number; cols: number } {
  if (!Array.isArray(m)) return { data: m.data, rows: m.shape[0], cols: m.shape[1] };
  const rows = m.length;
  const cols = rows > 0 ? m[0]!.length : 0;
  const data = new Int32Array(rows * cols);
  m.forEach((row, r) => {
    if (row.length !== cols) throw new FndDataError(`${what} row ${r} has ${row.length} ids but row 0 has ${cols}; pad every row to one length`);
    data.set(row, r * cols);
  });
  return { data, rows, cols };
}

export function isBatchProvider(d: ClassificationData | BatchProvider): d is BatchProvider {
  return typeof (d as BatchProvider).batch === 'function';
}

/** A provider over in-memory arrays (validated once, sliced per batch). */
export function arrayBatchProvider(d: ClassificationData): BatchProvider {
  const ids = flatten(d.inputIds, 'inputIds');
  const mask = d.attentionMask ? flatten(d.attentionMask, 'attentionMask') : undefined;
  const types = d.tokenTypeIds ? flatten(d.tokenTypeIds, 'tokenTypeIds') : undefined;
  for (const [what, m] of [['attentionMask', mask], ['tokenTypeIds', types]] as const) {
    if (m && (m.rows !== ids.rows || m.cols !== ids.cols)) {
      throw new FndDataError(`${what} is ${m.rows}x${m.cols} but inputIds is ${ids.rows}x${ids.cols}`);
    }
  }
  if (d.labels.length !== ids.rows) throw new FndDataError(`labels has ${d.labels.length} entries for ${ids.rows} examples`);
  const labels = Int32Array.from(d.labels);
  const cols = ids.cols;
  const take = (src: Int32Array, indices: number[]) => {
    const out = new Int32Array(indices.length * cols);
    indices.forEach((row, i) => out.set(src.subarray(row * cols, (row + 1) * cols), i * cols));
    return { data: out, shape: [indices.length, cols] as [number, number] };
  };
  return {
    size: ids.rows,
    batch: (indices) => ({
      inputIds: take(ids.data, indices),
      attentionMask: mask ? take(mask.data, indices) : undefined,
      tokenTypeIds: types ? take(types.data, indices) : undefined,
      labels: Int32Array.from(indices, (i) => labels[i]!),
    }),
  };
}
