/**
 * A model folder is checked before anything is allocated for it: a config.json asking for 10^9
 * layers once ran `fnd predict` past 90 s and 4.7 GB before V8 gave up, and a hidden_size of 10^9
 * surfaced as a raw "Invalid typed array length". Two checks, each naming the config.json field:
 *
 * 1. bounds: each size field is a positive integer no larger than any BERT-family model uses by a
 *    wide margin (the largest public BERTs: 24 layers, hidden 1024-4096, 512-8192 positions);
 * 2. memory: the parameters, counted from the config, times the copies a load holds at once
 *    (file bytes, float32 weights, backend tensors) must fit in the free memory, and the backend
 *    copy in the wasm heap (4 GiB) when the wasm backend is active.
 */
import { freemem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { FndError } from '../../util/errors.js';
import { formatNumber } from '../../format/number.js';
import type { BertConfig } from '../bert/config.js';

/** config.json field → [BertConfig field, largest accepted value]. */
export const CONFIG_BOUNDS: ReadonlyArray<readonly [string, keyof BertConfig, number]> = [
  ['vocab_size', 'vocabSize', 1 << 22],
  ['hidden_size', 'hiddenSize', 1 << 16],
  ['num_hidden_layers', 'numHiddenLayers', 1024],
  ['num_attention_heads', 'numAttentionHeads', 1024],
  ['intermediate_size', 'intermediateSize', 1 << 18],
  ['max_position_embeddings', 'maxPositionEmbeddings', 1 << 17],
  ['type_vocab_size', 'typeVocabSize', 1024],
  ['num_labels', 'numLabels', 1 << 16],
];

/** The wasm backend's heap cannot grow past 4 GiB (measured; see DESIGN.md). */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** Float32 copies of the weights alive at once while loading: file bytes, decoded arrays, backend tensors. */
export const LOAD_COPIES = 3;

/**
 * Checks the size fields of a parsed config.json object (snake_case, before defaults are applied).
 * Throws an FndError naming `file` and the field.
 */
export function checkConfigBounds(raw: Record<string, unknown>, file: string): void {
  for (const [key, , max] of CONFIG_BOUNDS) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new FndError(`${file}: ${key} must be a positive integer, got ${JSON.stringify(value)}`, { exitCode: 2 });
    }
    if (value > max) {
      throw new FndError(`${file}: ${key} is ${value}, more than the ${max} fnd accepts for a BERT model; is config.json damaged?`, { exitCode: 2 });
    }
  }
  const hidden = raw.hidden_size;
  const heads = raw.num_attention_heads;
  if (typeof hidden === 'number' && typeof heads === 'number' && hidden % heads !== 0) {
    throw new FndError(`${file}: num_attention_heads ${heads} does not divide hidden_size ${hidden}`, { exitCode: 2 });
  }
}

/** Number of parameters of BertForSequenceClassification with this config (as paramSpecs lists them). */
export function parameterCount(c: BertConfig): number {
  const H = c.hiddenSize;
  const F = c.intermediateSize;
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * H + 2 * H;
  const layer = 4 * (H * H + H) + (F * H + F) + (H * F + H) + 2 * 2 * H;
  return embeddings + c.numHiddenLayers * layer + (H * H + H) + (c.numLabels * H + c.numLabels);
}

export interface MemoryBudget {
  /** Bytes the process may still allocate (default: the free memory the OS reports). */
  freeBytes: number;
  /** Bytes the tensor backend can hold (default: 4 GiB on wasm, else unlimited). */
  backendBytes: number;
}

export function currentMemoryBudget(): MemoryBudget {
  return { freeBytes: freemem(), backendBytes: tf.getBackend() === 'wasm' ? WASM_HEAP_BYTES : Number.POSITIVE_INFINITY };
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 4 ? `${(bytes / 1024 ** 4).toFixed(1)} TiB` : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** The size field that contributes most parameters, to name in a message. */
function largestPart(c: BertConfig): string {
  const H = c.hiddenSize;
  const parts: [string, number][] = [
    [`vocab_size ${c.vocabSize} × hidden_size ${H}`, c.vocabSize * H],
    [`max_position_embeddings ${c.maxPositionEmbeddings} × hidden_size ${H}`, c.maxPositionEmbeddings * H],
    [`num_hidden_layers ${c.numHiddenLayers} × (hidden_size ${H}, intermediate_size ${c.intermediateSize})`, c.numHiddenLayers * (4 * H * H + 2 * H * c.intermediateSize)],
  ];
  return parts.sort((a, b) => b[1] - a[1])[0]![0];
}

/** Refuses a model whose weights cannot fit, before any of them is allocated. */
export function checkModelMemory(c: BertConfig, file: string, budget: MemoryBudget = currentMemoryBudget()): void {
  const parameters = parameterCount(c);
  const weightBytes = parameters * 4;
  const needed = weightBytes * LOAD_COPIES;
  if (weightBytes > budget.backendBytes) {
    throw new FndError(
      `${file}: the model has ${formatNumber(parameters)} parameters (${gib(weightBytes)} of float32 weights, mostly ${largestPart(c)}), ` +
        `more than the wasm backend's ${gib(budget.backendBytes)} heap can hold`,
      { exitCode: 2 },
    );
  }
  if (needed > budget.freeBytes) {
    throw new FndError(
      `${file}: the model has ${formatNumber(parameters)} parameters (mostly ${largestPart(c)}); loading it needs about ${gib(needed)} ` +
        `but only ${gib(budget.freeBytes)} of memory is free`,
      { exitCode: 2 },
    );
  }
}
