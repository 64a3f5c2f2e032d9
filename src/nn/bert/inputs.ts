/**
 * Turns the ways a caller may hand over token ids (nested arrays, a flat Int32Array with a
 * shape, or tensors) into the int32 / float32 tensors the forward pass uses, checking shapes and
 * id ranges up front so a bad batch is one clear message rather than a kernel error.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FndDataError } from '../../util/errors.js';
import type { BertConfig } from './config.js';

export type IdsInput = number[][] | { data: Int32Array | number[]; shape: [number, number] } | tf.Tensor;

export interface BertInputs {
  inputIds: IdsInput;
  /** 1 for real tokens, 0 for padding; all ones when left out. */
  attentionMask?: IdsInput;
  /** Segment ids; all zeros when left out. */
  tokenTypeIds?: IdsInput;
}

export interface PreparedInputs {
  batch: number;
  seqLen: number;
  inputIds: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  /** [B, 1, 1, S]: 0 where attended, float32 min where masked (Hugging Face's extended mask). */
  additiveMask: tf.Tensor4D;
}

/** float32 min, as `torch.finfo(torch.float32).min`. */
export const FLOAT32_MIN = -3.4028234663852886e38;

function toIntTensor(input: IdsInput, what: string, shape: [number, number] | undefined, limit: number | undefined): tf.Tensor2D {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 2) throw new FndDataError(`${what} must be a 2-D tensor [batch, seq], got shape [${input.shape.join(', ')}]`);
    if (shape && (input.shape[0] !== shape[0] || input.shape[1] !== shape[1])) {
      throw new FndDataError(`${what} has shape [${input.shape.join(', ')}] but inputIds has [${shape.join(', ')}]`);
    }
    return (input.dtype === 'int32' ? input.clone() : tf.cast(input, 'int32')) as tf.Tensor2D;
  }
  let flat: Int32Array;
  let dims: [number, number];
  if (Array.isArray(input)) {
    const rows = input.length;
    const cols = rows > 0 ? input[0]!.length : 0;
    flat = new Int32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = input[r]!;
      if (row.length !== cols) throw new FndDataError(`${what} row ${r} has ${row.length} ids but row 0 has ${cols}; pad every row to one length`);
      for (let c = 0; c < cols; c++) flat[r * cols + c] = row[c]!;
    }
    dims = [rows, cols];
  } else {
    dims = input.shape;
    if (input.data.length !== dims[0] * dims[1]) {
      throw new FndDataError(`${what} has ${input.data.length} values but shape [${dims.join(', ')}] needs ${dims[0] * dims[1]}`);
    }
    flat = input.data instanceof Int32Array ? input.data : Int32Array.from(input.data);
  }
  if (shape && (dims[0] !== shape[0] || dims[1] !== shape[1])) {
    throw new FndDataError(`${what} has shape [${dims.join(', ')}] but inputIds has [${shape.join(', ')}]`);
  }
  if (limit !== undefined) {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i]!;
      if (v < 0 || v >= limit) {
        throw new FndDataError(`${what}[${Math.floor(i / dims[1])}][${i % dims[1]}] = ${v} is outside [0, ${limit})`);
      }
    }
  }
  return tf.tensor2d(flat, dims, 'int32');
}

/** Creates tensors the caller must dispose (or call inside tf.tidy). */
export function prepareInputs(inputs: BertInputs, config: BertConfig): PreparedInputs {
  const inputIds = toIntTensor(inputs.inputIds, 'inputIds', undefined, config.vocabSize);
  const [batch, seqLen] = inputIds.shape;
  if (batch === 0 || seqLen === 0) {
    inputIds.dispose();
    throw new FndDataError(`inputIds is empty (shape [${batch}, ${seqLen}])`);
  }
  if (seqLen > config.maxPositionEmbeddings) {
    inputIds.dispose();
    throw new FndDataError(`sequence length ${seqLen} exceeds the model's max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  return tf.tidy(() => {
    const tokenTypeIds = inputs.tokenTypeIds === undefined
      ? tf.zeros([batch, seqLen], 'int32') as tf.Tensor2D
      : toIntTensor(inputs.tokenTypeIds, 'tokenTypeIds', [batch, seqLen], config.typeVocabSize);
    const mask = inputs.attentionMask === undefined
      ? tf.ones([batch, seqLen], 'float32')
      : tf.cast(toIntTensor(inputs.attentionMask, 'attentionMask', [batch, seqLen], undefined), 'float32');
    const additiveMask = tf.reshape(tf.mul(tf.sub(1, mask), FLOAT32_MIN), [batch, 1, 1, seqLen]) as tf.Tensor4D;
    return { batch, seqLen, inputIds, tokenTypeIds, additiveMask };
  });
}

export function disposeInputs(p: PreparedInputs): void {
  p.inputIds.dispose();
  p.tokenTypeIds.dispose();
  p.additiveMask.dispose();
}
