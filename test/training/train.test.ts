import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import initBert from '../../stages/init-bert/index.js';
import train from '../../stages/train/index.js';
import { initBackend } from '../../src/nn/backend/index.js';
import { loadModel } from '../../src/nn/checkpoint/load.js';
import { readTokens } from '../../src/artifacts/tokens.js';
import { evaluateModel } from '../../src/training/evaluate.js';
import type { TrainingHistoryFile } from '../../src/training/history.js';
import type { Artifact } from '../../src/sdk/index.js';
import { runStage, syntheticTokens, TINY_CONFIG, logLines } from './helpers.js';

let model: Artifact;
let noDropout: Artifact;
let trainSplit: Artifact;
let validation: Artifact;

beforeAll(async () => {
  await initBackend();
  model = (await runStage(initBert, { config: TINY_CONFIG, seed: 1 })).outputs.model!;
  noDropout = (await runStage(initBert, { config: { ...TINY_CONFIG, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }, seed: 1 })).outputs.model!;
  trainSplit = await syntheticTokens(64, 1);
  validation = await syntheticTokens(16, 2);
});

function history(run: { outputs: Record<string, Artifact> }): TrainingHistoryFile {
  return JSON.parse(readFileSync(join(run.outputs.history!.path, 'history.json'), 'utf8')) as TrainingHistoryFile;
}

describe('train', () => {
  it('learns a separable task, keeps the best model, exports history and curves, and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const run = await runStage(
      train,
      {
        num_train_epochs: 6,
        per_device_train_batch_size: 8,
        per_device_eval_batch_size: 5,
        learning_rate: 3e-3,
        warmup_steps: 4,
        weight_decay: 0.01,
        logging_steps: 8,
        logging_first_step: true,
        load_best_model_at_end: true,
        metric_for_best_model: 'f1',
        seed: 3,
      },
      { model, train: trainSplit, validation },
    );
    expect(tf.memory().numTensors).toBe(before);
    const h = history(run);
    expect(h.total_steps).toBe(48);
    expect(h.steps.map((s) => s.step)).toEqual([1, 8, 16, 24, 32, 40, 48]);
    expect(h.steps[0]!.learning_rate).toBeCloseTo(3e-3 / 4, 12); // lr of the next step, as the Trainer logs it
    expect(h.steps[h.steps.length - 1]!.learning_rate).toBe(0);
    expect(h.steps[h.steps.length - 1]!.loss).toBeLessThan(h.steps[0]!.loss / 2);
    expect(h.epochs).toHaveLength(6);
    const last = h.epochs[5]!;
    expect(last.metrics.accuracy).toBe(1);
    expect(last.metrics.f1).toBe(1);
    expect(last.metrics.loss).toBeLessThan(h.epochs[0]!.metrics.loss!);
    // f1 first reaches 1 at some epoch; ties never replace it, so that epoch is the best.
    const firstPerfect = h.epochs.find((e) => e.metrics.f1 === 1)!.epoch;
    expect(h.best).toEqual({ epoch: firstPerfect, metric: 'f1', value: 1 });
    expect(h.stopped_early).toBe(false);

    const metrics = run.result.metrics!;
    expect(metrics).toMatchObject({ best_epoch: firstPerfect, best_metric: 1, total_steps: 48, stopped_early: false });
    expect(metrics.train_loss).toBeCloseTo(h.epochs.reduce((s, e) => s + e.train_loss, 0) / 6, 10);
    expect((metrics.epochs as unknown[]).length).toBe(6);
    expect(metrics.train_examples_per_second).toBeGreaterThan(0);

    expect(JSON.parse(readFileSync(join(run.exportDir, 'history.json'), 'utf8'))).toEqual(h);
    expect(readFileSync(join(run.exportDir, 'learning-curves.svg'), 'utf8')).toMatch(/^<svg/);

    // The output is the best epoch's model: it loads fully and scores the validation split perfectly.
    const out = run.outputs.model!.path;
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).id2label).toEqual({ '0': 'fake', '1': 'real' });
    const trained = await loadModel(out);
    try {
      expect(trained.loadReport!.newlyInitialized).toEqual([]);
      const evaluation = evaluateModel(trained, await readTokens(validation.path), { batchSize: 16 });
      expect(evaluation.metrics.accuracy).toBe(1);
      expect(evaluation.metrics.loss).toBeCloseTo(h.epochs[firstPerfect - 1]!.metrics.loss!, 5);
    } finally {
      trained.dispose();
    }

    const progress = run.events.filter((e) => e.type === 'progress');
    expect(progress).toHaveLength(48);
    const final = progress[47]!;
    expect(final.type === 'progress' && final.update).toMatchObject({ current: 48, total: 48, unit: 'steps' });
    expect(final.type === 'progress' && final.update.message).toMatch(/^epoch 6\/6 loss \d\.\d{3} lr \S+ [\d.]+ ex\/s ETA 0 ms$/);
    expect(logLines(run.events).some((l) => /^epoch 1\/6: train_loss [\d.]+ eval_loss [\d.]+ accuracy/.test(l))).toBe(true);
  });

  it('same seed gives the same losses; another seed gives other losses', async () => {
    const params = { num_train_epochs: 2, per_device_train_batch_size: 8, learning_rate: 1e-3, logging_steps: 1, eval_strategy: 'no', save_strategy: 'no' };
    const inputs = { model, train: trainSplit };
    const a = history(await runStage(train, { ...params, seed: 5 }, inputs));
    const b = history(await runStage(train, { ...params, seed: 5 }, inputs));
    const c = history(await runStage(train, { ...params, seed: 6 }, inputs));
    expect(a.steps).toHaveLength(16);
    expect(b.steps).toEqual(a.steps);
    expect(c.steps.map((s) => s.loss)).not.toEqual(a.steps.map((s) => s.loss));
    expect(a.epochs.every((e) => Object.keys(e.metrics).length === 0)).toBe(true);
    expect(a.best).toBeNull();
  });

  it('micro-batches with accumulation train exactly like the big batch; padding width changes nothing', async () => {
    const params = { num_train_epochs: 1, learning_rate: 1e-3, logging_steps: 1, eval_strategy: 'no', save_strategy: 'no', seed: 9 };
    const big = history(await runStage(train, { ...params, per_device_train_batch_size: 16 }, { model: noDropout, train: trainSplit }));
    const micro = history(await runStage(train, { ...params, per_device_train_batch_size: 4, gradient_accumulation_steps: 4 }, { model: noDropout, train: trainSplit }));
    expect(micro.steps).toHaveLength(4);
    micro.steps.forEach((s, i) => {
      expect(s.loss).toBeCloseTo(big.steps[i]!.loss, 5);
      expect(s.grad_norm).toBeCloseTo(big.steps[i]!.grad_norm, 4);
    });
    const ragged = await syntheticTokens(64, 1, { ragged: true });
    const dynamic = history(await runStage(train, { ...params, per_device_train_batch_size: 16, group_by_length: false }, { model: noDropout, train: ragged }));
    dynamic.steps.forEach((s, i) => expect(s.loss).toBeCloseTo(big.steps[i]!.loss, 5));
    const grouped = history(await runStage(train, { ...params, per_device_train_batch_size: 16, group_by_length: true }, { model: noDropout, train: ragged }));
    expect(grouped.steps).toHaveLength(4);
    expect(grouped.steps.every((s) => Number.isFinite(s.loss))).toBe(true);
  });

  it('refuses settings the Trainer refuses, by param name', async () => {
    await expect(runStage(train, { load_best_model_at_end: true, save_strategy: 'no' }, { model, train: trainSplit, validation })).rejects.toThrow(
      /load_best_model_at_end needs eval_strategy and save_strategy both "epoch"/,
    );
    await expect(runStage(train, {}, { model, train: trainSplit })).rejects.toThrow(/eval_strategy "epoch" needs the "validation" input wired/);
    await expect(runStage(train, { metric_for_best_model: 'auc', num_train_epochs: 1, seed: 1 }, { model, train: trainSplit, validation })).rejects.toThrow(
      /metric_for_best_model "auc" is not one of the evaluation metrics/,
    );
    expect(existsSync(model.path)).toBe(true);
  });
});
