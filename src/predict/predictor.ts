/**
 * A saved model ready to classify raw articles: its fnd.json preparation, its tokenizer (from
 * the folder) and the BERT weights. Imports the tensor engine; load it with `await import()`.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadModel } from '../nn/checkpoint/load.js';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import { loadTokenizer, type BertTokenizer } from '../text/tokenizer.js';
// A folder that is not a model is a bad argument (exit 2, as before); a mismatched one is a model error.
import { FndConfigError, FndModelError } from '../util/errors.js';
import { readFndModelInfo, type FndModelInfo } from './fnd-json.js';
import { argmax, inferLogits, probabilitiesOf, type BatchSource } from './infer.js';
import { prepareText, type RawInput } from './prepare-text.js';
import { wasmInferenceBatch } from './memory.js';
import * as tf from '@tensorflow/tfjs-core';

export interface Prediction {
  label: string;
  /** Label name → probability; the values sum to 1. */
  probabilities: Record<string, number>;
}

export interface Predictor {
  dir: string;
  info: FndModelInfo;
  /** Label names by class index. */
  labels: string[];
  maxLength: number;
  /** The text the model sees for an input, after the recorded preparation. */
  prepare(input: RawInput): string;
  predict(inputs: readonly RawInput[], options?: { batchSize?: number }): Promise<Prediction[]>;
  dispose(): void;
}

/** Ids of already-encoded texts, padded per batch (the BatchSource inference expects). */
function encodedSource(ids: number[][], padId: number): BatchSource {
  return {
    count: ids.length,
    lengths: ids.map((row) => row.length),
    batch(indices) {
      const width = Math.max(...indices.map((i) => ids[i]!.length));
      const inputIds = new Int32Array(indices.length * width).fill(padId);
      const attentionMask = new Int32Array(indices.length * width);
      indices.forEach((index, row) => {
        inputIds.set(ids[index]!, row * width);
        attentionMask.fill(1, row * width, row * width + ids[index]!.length);
      });
      return { inputIds, attentionMask, tokenTypeIds: new Int32Array(indices.length * width), length: width };
    },
  };
}

export async function loadPredictor(dir: string): Promise<Predictor> {
  if (!existsSync(join(dir, 'config.json'))) throw new FndConfigError(`${dir} is not a model folder: it has no config.json`);
  if (!existsSync(join(dir, 'vocab.txt')) && !existsSync(join(dir, 'tokenizer.json'))) {
    throw new FndConfigError(`${dir} has no tokenizer (vocab.txt or tokenizer.json); save the model with the save stage wired to its tokens`);
  }
  const info: FndModelInfo = (await readFndModelInfo(dir)) ?? { preparation: [] };
  const tokenizer: BertTokenizer = await loadTokenizer(dir, { download: false });
  const model: BertForSequenceClassification = await loadModel(dir, { download: false });
  const config = model.config;
  if (tokenizer.vocabSize > config.vocabSize) {
    model.dispose();
    throw new FndModelError(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model's embeddings have ${config.vocabSize} rows`);
  }
  const maxLength = Math.min(info.tokenizer?.max_length ?? config.maxPositionEmbeddings, config.maxPositionEmbeddings);
  const labels = Array.from({ length: config.numLabels }, (_, i) => info.labels?.[String(i)] ?? config.id2label[String(i)] ?? String(i));
  const textField = info.tokenizer?.text_field ?? 'text';
  const prepare = (input: RawInput): string => prepareText(input, info.preparation, textField);
  return {
    dir,
    info,
    labels,
    maxLength,
    prepare,
    async predict(inputs, options = {}) {
      if (inputs.length === 0) return [];
      const ids = inputs.map((input) => tokenizer.encode(prepare(input), { maxLength, truncation: true }).inputIds);
      const wanted = options.batchSize ?? 32;
      const batchSize = tf.getBackend() === 'wasm' ? wasmInferenceBatch(config, wanted, maxLength, model.numParameters()) : wanted;
      const inference = await inferLogits(model, encodedSource(ids, tokenizer.padTokenId), { batchSize });
      return probabilitiesOf(inference).map((p) => ({
        label: labels[argmax(p)]!,
        probabilities: Object.fromEntries(labels.map((name, i) => [name, p[i]!])),
      }));
    },
    dispose: () => model.dispose(),
  };
}
