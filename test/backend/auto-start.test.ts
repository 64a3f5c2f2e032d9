/**
 * The library starts its tensor backend on first use, with the choice `fnd run` makes, and a
 * model can be built before any backend runs. This file runs in its own process (vitest forks),
 * so nothing has started tfjs before it.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initModel, loadModel } from '../../src/nn/index.js';
import { backendRunning, initBackend } from '../../src/nn/backend/index.js';
import { FndBackendError } from '../../src/util/errors.js';
import { expected, fixtureDir, maxAbsDiff } from '../nn/helpers.js';

const TFJS_BACKEND = { 'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', 'wasm-blas': 'wasm', wasm: 'wasm', cpu: 'cpu' } as const;

describe('backend on first use', () => {
  it('initModel works before any backend; a synchronous forward then says how to start one; loadModel starts fnd\'s choice', async () => {
    expect(backendRunning()).toBe(false);
    const early = initModel({ vocab_size: 50, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 }, { seed: 1 });
    expect(backendRunning()).toBe(false);
    // The weights exist before any backend: stateDict needs none.
    expect(early.stateDict().get('classifier.weight')!.length).toBe(32);
    expect(() => early.forward({ inputIds: [[2, 5, 3]] })).toThrow(FndBackendError);
    expect(() => early.forward({ inputIds: [[2, 5, 3]] })).toThrow(/none is running yet.*await initBackend\(\)/);

    const e = expected('tiny-2l-32h');
    const model = await loadModel(fixtureDir('tiny-2l-32h'));
    expect(backendRunning()).toBe(true);
    const auto = tf.getBackend();
    const out = model.forward({ inputIds: e.inputs.input_ids, attentionMask: e.inputs.attention_mask, tokenTypeIds: e.inputs.token_type_ids });
    expect(maxAbsDiff(out.logits, e.logits!.flat())).toBeLessThan(1e-4);
    tf.dispose(out);

    // The model built early works now that a backend runs.
    const logits = early.forward({ inputIds: [[2, 5, 3]] }).logits;
    expect(logits.shape).toEqual([1, 2]);
    logits.dispose();

    // The same choice as an explicit initBackend() (what `fnd run` calls).
    const chosen = await initBackend();
    expect(auto).toBe(TFJS_BACKEND[chosen.name]);
    expect(tf.getBackend()).toBe(auto);
    model.dispose();
    early.dispose();
  });
});
