/**
 * train: fine-tunes a BERT sequence classifier with the Hugging Face Trainer's semantics
 * (src/training/trainer.ts). Outputs the best (or last) model in the save_pretrained layout and
 * the training history; history.json and learning-curves.svg are also exported to the run.
 *
 * The tensor engine and the model code are imported inside `run`: the engine imports every stage
 * module of a spec even when everything is cached, and that must stay fast.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, StageUserError } from '../../src/sdk/index.js';
import { TRAIN_DEFAULTS, type TrainParams } from '../../src/training/params.js';
import { trainSchema } from './schema.js';
import { copyPassThroughFiles } from '../../src/training/pass-through.js';

export default defineStage<TrainParams>({
  name: 'train',
  version: '1',
  description: 'Fine-tunes a BERT classifier as the Hugging Face Trainer does (AdamW, linear warmup/decay, eval + checkpoint each epoch, best model, early stopping)',
  params: trainSchema,
  inputs: {
    model: { kind: 'model', description: 'the model to fine-tune (init-bert)' },
    train: { kind: 'tokens', description: 'training split' },
    validation: { kind: 'tokens', optional: true, description: 'validation split, evaluated each epoch' },
  },
  outputs: {
    model: { kind: 'model', description: 'best model (load_best_model_at_end) or the last one, save_pretrained layout' },
    history: { kind: 'report', description: 'history.json: logged steps, per-epoch metrics, best epoch' },
  },
  device: 'gpu',
  tensors: true,
  deterministic: true,
  async run(ctx, inputs, given) {
    // The engine applies the schema defaults; this also covers callers that pass partial params.
    const params: TrainParams = { ...TRAIN_DEFAULTS, ...given, seed: given.seed ?? TRAIN_DEFAULTS.seed };
    if (!inputs.model) throw new StageUserError('train: input "model" is not wired');
    if (!inputs.train) throw new StageUserError('train: input "train" is not wired');
    const { initBackend } = await import('../../src/nn/backend/index.js');
    const backend = await initBackend();
    const { loadModel } = await import('../../src/nn/checkpoint/load.js');
    const { readTokens } = await import('../../src/artifacts/tokens.js');
    const { runTrainer } = await import('../../src/training/trainer.js');
    const { learningCurvesSvg } = await import('../../src/plots/charts.js');

    const model = await loadModel(inputs.model.path, { seed: params.seed, download: false });
    try {
      if (model.loadReport && model.loadReport.newlyInitialized.length > 0) {
        ctx.log.warn(`the input model lacked ${model.loadReport.newlyInitialized.length} tensor(s), initialised fresh: ${model.loadReport.newlyInitialized.join(', ')}`);
      }
      const train = await readTokens(inputs.train.path);
      const validation = inputs.validation ? await readTokens(inputs.validation.path) : undefined;
      const needed = Math.max(train.header.maxLength, validation?.header.maxLength ?? 0);
      if (needed > model.config.maxPositionEmbeddings) {
        throw new StageUserError(`train: the tokens are up to ${needed} long but the model's max_position_embeddings is ${model.config.maxPositionEmbeddings}; tokenize with max_length <= ${model.config.maxPositionEmbeddings}`);
      }
      ctx.log.info(`backend ${backend.name}; model ${model.numParameters().toLocaleString('en-US')} parameters`);
      const result = await runTrainer({
        model,
        train,
        validation,
        params,
        resumeDir: ctx.resumeDir,
        signal: ctx.signal,
        log: ctx.log,
        progress: (update) => ctx.progress(update),
      });

      const modelDir = ctx.outputDir('model');
      await model.save(modelDir);
      await copyPassThroughFiles(inputs.model.path, modelDir);
      const historyJson = `${JSON.stringify(result.history, null, 2)}\n`;
      await writeFile(join(ctx.outputDir('history'), 'history.json'), historyJson);
      await writeFile(join(ctx.exportDir, 'history.json'), historyJson);
      if (result.history.steps.length > 0 || result.history.epochs.some((e) => Object.keys(e.metrics).length > 0)) {
        const svg = await learningCurvesSvg({
          steps: result.history.steps.map((s) => ({ step: s.step, loss: s.loss, lr: s.learning_rate })),
          epochs: result.history.epochs.filter((e) => Object.keys(e.metrics).length > 0).map((e) => ({ epoch: e.epoch, metrics: e.metrics })),
        });
        await writeFile(join(ctx.exportDir, 'learning-curves.svg'), svg);
      }

      const { history } = result;
      const last = history.epochs[history.epochs.length - 1];
      return {
        metrics: {
          best_epoch: history.best?.epoch ?? null,
          best_metric: history.best?.value ?? null,
          best_metric_name: history.best?.metric ?? null,
          epochs: history.epochs.map((e) => ({ epoch: e.epoch, train_loss: e.train_loss, ...e.metrics })),
          train_loss: result.trainLoss,
          train_runtime_s: result.runtimeSeconds,
          train_examples_per_second: result.runtimeSeconds > 0 ? result.examplesSeen / result.runtimeSeconds : 0,
          total_steps: history.total_steps,
          stopped_early: history.stopped_early,
          resumed_from_epoch: result.resumedFromEpoch,
          backend: backend.name,
        },
        summary:
          `${history.epochs.length} epoch(s), ${history.total_steps} steps, train_loss ${result.trainLoss.toFixed(4)}` +
          (history.best ? `, best ${history.best.metric} ${history.best.value.toFixed(4)} at epoch ${history.best.epoch}` : '') +
          (last && last.metrics.accuracy !== undefined ? `, last accuracy ${last.metrics.accuracy.toFixed(4)}` : '') +
          (history.stopped_early ? ' (stopped early)' : ''),
      };
    } finally {
      model.dispose();
    }
  },
});
