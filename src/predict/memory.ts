/**
 * How large an inference batch the wasm backend's heap (at most 4 GiB) can hold. Inside one
 * tf.tidy every intermediate of the forward pass stays alive until the pass ends, so a batch
 * keeps, per layer, about three [B, heads, S, S] attention tensors (scores, masked scores,
 * probabilities) and some twenty [B, S, hidden] and four [B, S, intermediate] activations. The
 * batch size does not change the numbers, only the speed, so a batch too big is cut, not refused.
 */
import type { BertConfig } from '../nn/bert/config.js';

const HEAP_BUDGET = 3.5 * 1024 ** 3;

export function inferenceBytes(c: Pick<BertConfig, 'numHiddenLayers' | 'numAttentionHeads' | 'hiddenSize' | 'intermediateSize'>, batch: number, seqLen: number, parameters: number): number {
  const attention = 3 * batch * c.numAttentionHeads * seqLen * seqLen;
  const activations = batch * seqLen * (20 * c.hiddenSize + 4 * c.intermediateSize);
  return 4 * (c.numHiddenLayers * (attention + activations) + parameters);
}

/** The largest batch up to `wanted` whose forward pass fits the wasm heap (at least 1). */
export function wasmInferenceBatch(c: Parameters<typeof inferenceBytes>[0], wanted: number, seqLen: number, parameters: number, budget = HEAP_BUDGET): number {
  let batch = wanted;
  while (batch > 1 && inferenceBytes(c, batch, seqLen, parameters) > budget) batch--;
  return batch;
}
