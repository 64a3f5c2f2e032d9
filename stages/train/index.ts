/**
 * train: fine-tunes a BERT sequence classifier with fnd's Trainer (src/training/trainer.ts, the
 * one exported by the library), which has the Hugging Face Trainer's semantics. Outputs the best (or last) model in the save_pretrained layout and
 * the training history; history.json and learning-curves.svg are also exported to the run.
 *
 * The tensor engine and the model code are imported inside `run`: the engine imports every stage
 * module of a spec even when everything is cached, and that must stay fast.
 */
import { writeFileChunks } from '../../src/util/fs/index.js';
import { join } from 'node:path';
import { defineStage, StageUserError, type Inspection } from '../../src/sdk/index.js';
import { TRAIN_DEFAULTS, type TrainParams } from '../../src/training/params.js';
import { TRAINING_ARGUMENTS_SCHEMA } from '../../src/training/arguments-schema.js';
import { copyPassThroughFiles } from '../../src/training/pass-through.js';
import { tokensFitModel } from '../../src/training/positions-check.js';

export default defineStage<TrainParams>({
  name: 'train',
  version: '2',
  description: 'Fine-tunes a BERT classifier as the Hugging Face Trainer does (AdamW, linear warmup/decay, eval + checkpoint each epoch or every N steps, best model, early stopping)',
  params: TRAINING_ARGUMENTS_SCHEMA,
  inputs: {
    model: { kind: 'model', description: 'the model to fine-tune (init-bert)' },
    train: { kind: 'tokens', description: 'training split' },
    validation: { kind: 'tokens', optional: true, description: 'validation split, evaluated each epoch or every eval_steps' },
  },
  outputs: {
    model: { kind: 'model', description: 'best model (load_best_model_at_end) or the last one, save_pretrained layout' },
    history: { kind: 'report', description: 'history.json: logged steps, per-epoch metrics, best epoch' },
  },
  device: 'gpu',
  tensors: true,
  deterministic: true,
  // The trained model has the positions of the model it starts from; its tokens must fit them.
  inspect: (_params, inputs): Inspection => {
    const problems = tokensFitModel(inputs.model, [inputs.train, inputs.validation]);
    // A problem here is the problem of every stage downstream too: report it once.
    return { outputs: inputs.model && problems.length === 0 ? { model: inputs.model.facts } : {}, problems };
  },
  async run(ctx, inputs, given) {
    // The engine applies the schema defaults; this also covers callers that pass partial params.
    const params: TrainParams = { ...TRAIN_DEFAULTS, ...given, seed: given.seed ?? TRAIN_DEFAULTS.seed };
    if (!inputs.model) throw new StageUserError('train: input "model" is not wired');
    if (!inputs.train) throw new StageUserError('train: input "train" is not wired');
    const { initBackend } = await import('../../src/nn/backend/index.js');
    const backend = await initBackend({ device: ctx.device });
    const { loadModel } = await import('../../src/nn/checkpoint/load.js');
    const { readTokens } = await import('../../src/artifacts/tokens.js');
    const { Trainer } = await import('../../src/training/trainer.js');
    const { learningCurvesSvg } = await import('../../src/plots/charts.js');

    const model = await loadModel(inputs.model.path, { seed: params.seed, download: false });
    try {
      if (model.loadReport && model.loadReport.newlyInitialized.length > 0) {
        ctx.log.warn(`the input model lacked ${model.loadReport.newlyInitialized.length} tensor(s), initialised fresh: ${model.loadReport.newlyInitialized.join(', ')}`);
      }
      const train = await readTokens(inputs.train.path);
      const validation = inputs.validation ? await readTokens(inputs.validation.path) : undefined;
      // One source of truth for class names: the model's must agree with the data's (the run
      // stops here, before training); the data's names replace placeholders (LABEL_0) in the model.
      const { agreeOnClassNames } = await import('../../src/artifacts/classes.js');
      const classNames = agreeOnClassNames(
        'train',
        [
          { names: model.config.id2label, what: `the model's id2label (input "model" from ${inputs.model.producer.stageId})` },
          { names: train.header.labels, what: `the training data (input "train" from ${inputs.train.producer.stageId})` },
          ...(validation && inputs.validation ? [{ names: validation.header.labels, what: `the validation data (input "validation" from ${inputs.validation.producer.stageId})` }] : []),
        ],
        'give init-bert the training tokens as its data input and leave out its id2label, or fix the classes where the data is loaded',
      );
      if (classNames !== undefined) model.config.id2label = classNames;
      const needed = Math.max(train.header.maxLength, validation?.header.maxLength ?? 0);
      if (needed > model.config.maxPositionEmbeddings) {
        throw new StageUserError(`train: the tokens are up to ${needed} long but the model's max_position_embeddings is ${model.config.maxPositionEmbeddings}; tokenize with max_length <= ${model.config.maxPositionEmbeddings}`);
      }
      ctx.log.info(`backend ${backend.name}; model ${model.numParameters().toLocaleString('en-US')} parameters`);
      const trainer = new Trainer({
        model,
        args: params,
        trainDataset: train,
        evalDataset: validation,
        outputDir: ctx.resumeDir,
        signal: ctx.signal,
        log: ctx.log,
        progress: (update) => ctx.progress(update),
      });
      const result = await trainer.train();

      const modelDir = ctx.outputDir('model');
      await model.save(modelDir);
      await copyPassThroughFiles(inputs.model.path, modelDir);
      const historyJson = `${JSON.stringify(result.history, null, 2)}\n`;
      await writeFileChunks(join(ctx.outputDir('history'), 'history.json'), [historyJson]);
      await writeFileChunks(join(ctx.exportDir, 'history.json'), [historyJson]);
      // Evaluations by epoch, or every eval_steps (at fractional epochs).
      const evaluated = [
        ...result.history.epochs.filter((e) => Object.keys(e.metrics).length > 0).map((e) => ({ epoch: e.epoch, metrics: e.metrics })),
        ...(result.history.evaluations ?? []).map((e) => ({ epoch: e.epoch, metrics: e.metrics })),
      ];
      if (result.history.steps.length > 0 || evaluated.length > 0) {
        const svg = await learningCurvesSvg({
          steps: result.history.steps.map((s) => ({ step: s.step, loss: s.loss, lr: s.learning_rate })),
          epochs: evaluated,
        });
        await writeFileChunks(join(ctx.exportDir, 'learning-curves.svg'), [svg]);
      }

      const { history } = result;
      const last = history.epochs[history.epochs.length - 1];
      return {
        metrics: {
          best_epoch: history.best?.epoch ?? null,
          best_step: history.best?.step ?? null,
          best_metric: history.best?.value ?? null,
          best_metric_name: history.best?.metric ?? null,
          epochs: history.epochs.map((e) => ({ epoch: e.epoch, train_loss: e.train_loss, ...e.metrics })),
          ...(history.evaluations ? { evaluations: history.evaluations.map((e) => ({ step: e.step, epoch: e.epoch, ...e.metrics })) } : {}),
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
          (history.best
            ? `, best ${history.best.metric} ${history.best.value.toFixed(4)} at ${params.eval_strategy === 'steps' ? `step ${history.best.step}` : `epoch ${history.best.epoch}`}`
            : '') +
          (last && last.metrics.accuracy !== undefined ? `, last accuracy ${last.metrics.accuracy.toFixed(4)}` : '') +
          (history.stopped_early ? ' (stopped early)' : ''),
      };
    } finally {
      model.dispose();
    }
  },
});
