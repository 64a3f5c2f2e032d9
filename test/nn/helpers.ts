/** Shared helpers for the nn tests: fixture paths, expected values, max-abs-difference. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

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

/**
 * The fixture's three AdamW steps (loss, gradient norm before clipping, logits after) against
 * PyTorch, within 1e-4, leaving no tensors behind.
 */
export async function expectAdamWStepsMatch(name: string): Promise<void> {
  const { expect } = await import('vitest');
  const { loadModel, createAdamW, trainStep } = await import('../../src/nn/index.js');
  const e = expected(name);
  const t = e.training!;
  const model = await loadModel(fixtureDir(name));
  const optimizer = createAdamW(model.params, { lr: t.lr, betas: t.betas, eps: t.eps, weightDecay: t.weight_decay });
  const before = tf.memory().numTensors;
  for (const want of t.steps) {
    const r = trainStep(model, optimizer, batchOf(e), { maxGradNorm: t.max_grad_norm });
    expect(Math.abs(r.loss - want.loss)).toBeLessThan(1e-4);
    expect(Math.abs(r.gradNorm - want.grad_norm_before_clip)).toBeLessThan(1e-4);
    const out = model.forward(batchOf(e));
    expect(maxAbsDiff(out.logits, want.logits_after)).toBeLessThan(1e-4);
    tf.dispose(out);
  }
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
}
