/** Shared helpers for the nn tests: fixture paths, expected values, max-abs-difference. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const BERT_FIXTURES = join(FIXTURES, 'bert');

export interface Expected {
  inputs: { input_ids: number[][]; attention_mask: number[][]; token_type_ids: number[][]; labels: number[] };
  logits?: number[][];
  pooled_output: number[][];
  last_hidden_state_first4: number[][][];
  training?: {
    lr: number;
    betas: [number, number];
    eps: number;
    weight_decay: number;
    max_grad_norm: number;
    lr_schedule: string;
    steps: { loss: number; grad_norm_before_clip: number; logits_after: number[][] }[];
  };
}

export function fixtureDir(name: string): string {
  return join(BERT_FIXTURES, name);
}

export function expected(name: string): Expected {
  return JSON.parse(readFileSync(join(fixtureDir(name), 'expected.json'), 'utf8')) as Expected;
}

export function batchOf(e: Expected) {
  return {
    inputIds: e.inputs.input_ids,
    attentionMask: e.inputs.attention_mask,
    tokenTypeIds: e.inputs.token_type_ids,
    labels: e.inputs.labels,
  };
}

export function maxAbsDiff(actual: tf.Tensor | ArrayLike<number>, want: unknown): number {
  const a = 'dataSync' in (actual as object) ? (actual as tf.Tensor).dataSync() : (actual as ArrayLike<number>);
  const b = (Array.isArray(want) ? want.flat(Infinity) : [want]) as number[];
  if (a.length !== b.length) throw new Error(`length ${a.length} vs expected ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
