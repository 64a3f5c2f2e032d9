/**
 * The exported Trainer used as a library: in-memory data, arguments checked like the stage's
 * params, callbacks over (args, state, control), evaluation by steps with best model and early
 * stopping counted in evaluations, and a resume from a checkpoint taken in the middle of an epoch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import train from '../../stages/train/index.js';
import initBert from '../../stages/init-bert/index.js';
import {
  Trainer, EarlyStoppingCallback, datasetFromRows, datasetFromArrays, initModel, initBackend, resolveTrainingArguments,
  FndConfigError, FndDataError, type TrainerCallback, type TrainingArguments, type TrainingHistoryFile,
} from '../../src/index.js';
import { createRng } from '../../src/util/rng.js';
import { runStage, syntheticTokens, TINY_CONFIG } from './helpers.js';

/** The separable task of syntheticTokens, in memory: label 0 uses ids 10..49, label 1 ids 50..89. */
function rows(count: number, seed: number) {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const label = i % 2;
    const length = 5 + rng.int(12);
    const ids = [2, ...Array.from({ length: length - 2 }, () => (label === 0 ? 10 : 50) + rng.int(40)), 3];
    return { ids, label, rowId: `r${i}` };
  });
}

const trainData = datasetFromRows(rows(48, 1));
const evalData = datasetFromRows(rows(16, 2));

beforeAll(async () => {
  await initBackend();
});

const weights = (trainer: Trainer) => Array.from(trainer.model.param('classifier.weight').dataSync());

describe('Trainer as a library', () => {
  it('warmup then linear decay; logged lr is the next step\'s; deterministic; tensors back to where they were', async () => {
    const run = async () => {
      const model = initModel(TINY_CONFIG, { seed: 5 });
      const before = tf.memory().numTensors;
      const trainer = new Trainer({
        model,
        trainDataset: datasetFromRows(rows(4, 9)),
        args: { learning_rate: 1e-3, weight_decay: 0.01, per_device_train_batch_size: 2, max_steps: 3, warmup_steps: 1, logging_steps: 1, seed: 5, eval_strategy: 'no', save_strategy: 'no' },
      });
      const out = await trainer.train();
      expect(tf.memory().numTensors).toBe(before);
      const w = weights(trainer);
      model.dispose();
      return { out, w };
    };
    const first = await run();
    // Step lrs 0, 1e-3, 0.5e-3 (get_linear_schedule_with_warmup over 3 steps); each log names the next step's lr.
    expect(first.out.history.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(first.out.history.steps.map((s) => s.learning_rate)).toEqual([1e-3, 0.5e-3, 0]);
    expect(first.out.history.steps.map((s) => s.epoch)).toEqual([0.5, 1, 1.5]);
    expect(first.out.state.global_step).toBe(3);
    expect(first.out.history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const second = await run();
    expect(second.out.history).toEqual(first.out.history);
    expect(second.w).toEqual(first.w);
  });

  it('padded id matrices (right padding) train exactly like the same rows unpadded', async () => {
    const data = rows(8, 4);
    const width = Math.max(...data.map((r) => r.ids.length));
    const padded = datasetFromArrays({
      inputIds: data.map((r) => [...r.ids, ...new Array<number>(width - r.ids.length).fill(0)]),
      attentionMask: data.map((r) => [...r.ids.map(() => 1), ...new Array<number>(width - r.ids.length).fill(0)]),
      labels: data.map((r) => r.label),
    });
    const args: Partial<TrainingArguments> = { per_device_train_batch_size: 4, num_train_epochs: 1, learning_rate: 1e-3, eval_strategy: 'no', save_strategy: 'no', logging_steps: 1 };
    const a = new Trainer({ model: initModel(TINY_CONFIG, { seed: 2 }), trainDataset: padded, args });
    const b = new Trainer({ model: initModel(TINY_CONFIG, { seed: 2 }), trainDataset: datasetFromRows(data), args });
    const ha = (await a.train()).history;
    const hb = (await b.train()).history;
    expect(ha.steps.map((s) => s.loss)).toEqual(hb.steps.map((s) => s.loss));
    expect(() => datasetFromArrays({ inputIds: [[2, 0, 5]], attentionMask: [[1, 0, 1]], labels: [0] })).toThrow(FndDataError);
    a.model.dispose();
    b.model.dispose();
  });

  it('calls the callbacks in Hugging Face\'s order, and a callback can stop training through the control', async () => {
    const calls: string[] = [];
    const recorder: TrainerCallback = {
      on_train_begin: () => { calls.push('train_begin'); },
      on_epoch_begin: (_a, s) => { calls.push(`epoch_begin@${s.global_step}`); },
      on_step_end: (_a, s, control) => {
        calls.push(`step_end@${s.global_step}`);
        if (s.global_step === 8) control.should_training_stop = true;
      },
      on_log: (_a, s, _c, e) => { calls.push(`log:${e.logs!.kind}@${s.global_step}`); },
      on_evaluate: (_a, s, _c, e) => { calls.push(`evaluate@${s.global_step}:${e.metrics!.accuracy !== undefined}`); },
      on_save: (_a, s, _c, e) => { calls.push(`save@${s.global_step}:${e.checkpoint!.split('/').pop()}`); },
      on_epoch_end: (_a, s) => { calls.push(`epoch_end@${s.global_step}`); },
      on_train_end: () => { calls.push('train_end'); },
    };
    const outputDir = mkdtempSync(join(tmpdir(), 'fnd-trainer-cb-'));
    const trainer = new Trainer({
      model: initModel(TINY_CONFIG, { seed: 1 }),
      trainDataset: trainData,
      evalDataset: evalData,
      outputDir,
      callbacks: [recorder],
      args: { per_device_train_batch_size: 8, num_train_epochs: 3, eval_strategy: 'steps', eval_steps: 4, save_strategy: 'steps', save_steps: 4, logging_steps: 3, seed: 1 },
    });
    const out = await trainer.train();
    expect(out.state.global_step).toBe(8);
    expect(calls.slice(0, 9)).toEqual([
      'train_begin', 'epoch_begin@0', 'step_end@1', 'step_end@2', 'step_end@3', 'log:step@3', 'step_end@4', 'evaluate@4:true', 'log:evaluation@4',
    ]);
    expect(calls).toContain('save@4:checkpoint-step-4');
    // Epoch 1 has 6 steps; the stop at step 8 ends epoch 2 early.
    expect(calls.filter((c) => c.startsWith('epoch_end'))).toEqual(['epoch_end@6', 'epoch_end@8']);
    expect(calls[calls.length - 1]).toBe('train_end');
    expect(readdirSync(outputDir).filter((f) => f.startsWith('checkpoint-')).sort()).toEqual(
      [...new Set([`checkpoint-step-${out.state.best_global_step}`, 'checkpoint-step-8'])].sort(),
    );
    trainer.model.dispose();
  });

  it('checks arguments as the stage schema does, by name', () => {
    expect(() => resolveTrainingArguments({ learning_rte: 1 } as never)).toThrow(/unknown training argument "learning_rte"; did you mean "learning_rate"\?/);
    expect(() => resolveTrainingArguments({ per_device_train_batch_size: 0 })).toThrow(/per_device_train_batch_size must be >= 1, got 0/);
    expect(() => resolveTrainingArguments({ eval_strategy: 'step' as never })).toThrow(/eval_strategy must be one of "epoch", "steps", "no"/);
    expect(() => resolveTrainingArguments({ load_best_model_at_end: true, eval_strategy: 'steps', save_strategy: 'epoch' })).toThrow(
      /load_best_model_at_end needs eval_strategy and save_strategy both "epoch" or both "steps"/,
    );
    expect(() => resolveTrainingArguments({ load_best_model_at_end: true, eval_strategy: 'steps', eval_steps: 4, save_strategy: 'steps', save_steps: 6 })).toThrow(
      /save_steps to be a multiple of eval_steps \(they are 6 and 4\)/,
    );
    expect(() => new Trainer({ model: initModel(TINY_CONFIG), trainDataset: trainData })).toThrow(FndConfigError);
    expect(resolveTrainingArguments({ eval_strategy: 'steps' }).eval_steps).toBeNull();
  });
});

describe('eval_strategy "steps"', () => {
  const base: Partial<TrainingArguments> = {
    per_device_train_batch_size: 8, num_train_epochs: 3, learning_rate: 2e-3, warmup_steps: 2, logging_steps: 4, seed: 11,
    metric_for_best_model: 'loss',
  };

  it('evaluates every eval_steps, keeps the best checkpoint and loads it at the end', async () => {
    const outputDir = mkdtempSync(join(tmpdir(), 'fnd-trainer-steps-'));
    const trainer = new Trainer({
      model: initModel(TINY_CONFIG, { seed: 1 }),
      trainDataset: trainData,
      evalDataset: evalData,
      outputDir,
      args: { ...base, eval_strategy: 'steps', eval_steps: 4, save_strategy: 'steps', save_steps: 4, load_best_model_at_end: true },
    });
    const out = await trainer.train();
    const h = out.history;
    expect(h.total_steps).toBe(18);
    expect(h.evaluations!.map((e) => e.step)).toEqual([4, 8, 12, 16]);
    expect(h.evaluations!.map((e) => e.epoch)).toEqual([0.6667, 1.3333, 2, 2.6667]);
    expect(h.epochs.every((e) => Object.keys(e.metrics).length === 0)).toBe(true);
    const losses = h.evaluations!.map((e) => e.metrics.loss!);
    const bestAt = losses.indexOf(Math.min(...losses));
    expect(h.best).toEqual({ epoch: h.evaluations![bestAt]!.epoch, step: h.evaluations![bestAt]!.step, metric: 'loss', value: losses[bestAt] });
    // The model in memory is the best evaluation's: evaluating it again gives that loss.
    const again = await trainer.evaluate();
    expect(again.metrics.loss).toBeCloseTo(losses[bestAt]!, 5);
    expect(readdirSync(outputDir).filter((f) => f.startsWith('checkpoint-')).sort()).toEqual(
      [...new Set([`checkpoint-step-${h.best!.step}`, 'checkpoint-step-18'])].sort(),
    );
    trainer.model.dispose();
  });

  it('counts early-stopping patience in evaluations, by steps or by epochs', async () => {
    // A threshold no evaluation can beat: every evaluation after the first counts against patience 1.
    const stopArgs = { ...base, early_stopping_patience: 1, early_stopping_threshold: 100, save_strategy: 'no' as const };
    const bySteps = new Trainer({ model: initModel(TINY_CONFIG, { seed: 1 }), trainDataset: trainData, evalDataset: evalData, args: { ...stopArgs, eval_strategy: 'steps', eval_steps: 4 } });
    const s = await bySteps.train();
    expect(s.history.stopped_early).toBe(true);
    expect(s.history.evaluations!.map((e) => e.step)).toEqual([4, 8]);
    expect(s.history.total_steps).toBe(8);
    const byEpochs = new Trainer({ model: initModel(TINY_CONFIG, { seed: 1 }), trainDataset: trainData, evalDataset: evalData, args: { ...stopArgs, eval_strategy: 'epoch' } });
    const e = await byEpochs.train();
    expect(e.history.stopped_early).toBe(true);
    expect(e.history.epochs.map((r) => r.epoch)).toEqual([1, 2]);
    expect(e.history.total_steps).toBe(12);
    // The same callback added by hand works the same.
    const byHand = new Trainer({
      model: initModel(TINY_CONFIG, { seed: 1 }), trainDataset: trainData, evalDataset: evalData,
      args: { ...base, save_strategy: 'no', eval_strategy: 'steps', eval_steps: 4 }, callbacks: [new EarlyStoppingCallback({ patience: 1, threshold: 100 })],
    });
    expect((await byHand.train()).history.total_steps).toBe(8);
    for (const t of [bySteps, byEpochs, byHand]) t.model.dispose();
  });

  it('a run interrupted after a mid-epoch checkpoint resumes there and ends exactly as an uninterrupted one', async () => {
    const args = { ...base, eval_strategy: 'steps' as const, eval_steps: 4, save_strategy: 'steps' as const, save_steps: 4, load_best_model_at_end: true };
    const full = new Trainer({ model: initModel(TINY_CONFIG, { seed: 1 }), trainDataset: trainData, evalDataset: evalData, args });
    const fullOut = await full.train();

    const outputDir = mkdtempSync(join(tmpdir(), 'fnd-trainer-resume-'));
    const controller = new AbortController();
    const stopAfterFirstSave: TrainerCallback = { on_save: () => controller.abort() };
    const first = new Trainer({ model: initModel(TINY_CONFIG, { seed: 1 }), trainDataset: trainData, evalDataset: evalData, args, outputDir, signal: controller.signal, callbacks: [stopAfterFirstSave] });
    await expect(first.train()).rejects.toThrow();
    expect(JSON.parse(readFileSync(join(outputDir, 'latest.json'), 'utf8'))).toEqual({ checkpoint: 'checkpoint-step-4', epoch: 0, step: 4 });
    first.model.dispose();

    const lines: string[] = [];
    const resumed = new Trainer({
      model: initModel(TINY_CONFIG, { seed: 1 }), trainDataset: trainData, evalDataset: evalData, args, outputDir,
      log: { info: (m) => lines.push(m), warn: () => {}, debug: () => {} },
    });
    const resumedOut = await resumed.train();
    expect(lines).toContain('resuming from the checkpoint of step 4 of 18 (epoch 0.6667)');
    expect(resumedOut.history).toEqual(fullOut.history);
    expect(resumedOut.trainLoss).toBe(fullOut.trainLoss);
    expect(weights(resumed)).toEqual(weights(full));
    full.model.dispose();
    resumed.model.dispose();
  });

  it('the train stage takes eval_strategy "steps" and reports the evaluations and the best step', async () => {
    const model = (await runStage(initBert, { config: TINY_CONFIG, seed: 1 })).outputs.model!;
    const run = await runStage(
      train,
      { ...base, eval_strategy: 'steps', eval_steps: 4, save_strategy: 'steps', save_steps: 8, load_best_model_at_end: true },
      { model, train: await syntheticTokens(48, 1), validation: await syntheticTokens(16, 2) },
    );
    const h = JSON.parse(readFileSync(join(run.outputs.history!.path, 'history.json'), 'utf8')) as TrainingHistoryFile;
    expect(h.evaluations!.map((e) => e.step)).toEqual([4, 8, 12, 16]);
    expect(run.result.metrics!.best_step).toBe(h.best!.step);
    expect(run.result.summary).toMatch(/best loss \d\.\d{4} at step (4|8|12|16)/);
    expect(existsSync(join(run.exportDir, 'learning-curves.svg'))).toBe(true);
  });
});
