/**
 * evaluate: the trained model on the test split (and the validation split when wired), with the
 * notebook's metrics (scikit-learn's definitions), the loss, throughput, and every prediction
 * saved so error analysis and users can join them back to the rows.
 *
 * The tensor engine and the model code are imported inside `run`: the engine imports every stage
 * module even when all of them are restored from the cache, and that must stay fast.
 */
import { writeFileChunks } from '../../src/util/fs/index.js';
import { join } from 'node:path';
import { defineStage, StageUserError, type Artifact, type MetricValue } from '../../src/sdk/index.js';
import { writeTable, type Row } from '../../src/artifacts/table.js';
import { classificationMetrics, classificationReport } from '../../src/metrics/classification.js';
import { classificationMetricsRecord } from '../../src/metrics/record.js';
import { labelNamesOf, splitInputs, tokensInput } from './inputs.js';
import { tokensFitModel } from '../../src/training/positions-check.js';

export interface EvaluateParams {
  batch_size: number;
  /** Digits in classification_report (scikit-learn's default is 2, which prints 1.00 for 0.996). */
  report_digits: number;
}

const STAGE = 'evaluate';

/** One prediction as the predictions table and predictions-<split>.jsonl hold it. */
export interface PredictionRow extends Row {
  id: string;
  label: number;
  predicted: number;
  probabilities: number[];
  confidence: number;
}

export default defineStage<EvaluateParams>({
  name: STAGE,
  version: '1',
  description:
    'Accuracy, precision/recall/F1 (weighted, macro, per class), confusion matrix, classification report, loss and examples/s on the test (and validation) split; saves every prediction.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      batch_size: { type: 'integer', minimum: 1, default: 64, description: 'Examples per forward pass (the notebook\'s per_device_eval_batch_size).' },
      report_digits: { type: 'integer', minimum: 1, maximum: 10, default: 4, description: 'Digits in the classification report (scikit-learn prints 2 by default).' },
    },
  },
  inputs: {
    model: { kind: 'model', description: 'A model folder (config.json + model.safetensors), e.g. the train stage\'s best model.' },
    test: { kind: 'tokens', description: 'The test split, tokenized, with labels.' },
    validation: { kind: 'tokens', optional: true, description: 'The validation split, tokenized, with labels.' },
  },
  outputs: {
    predictions: { kind: 'table', description: 'Test predictions: id, label, predicted, probabilities, confidence.' },
    validation_predictions: { kind: 'table', optional: true, description: 'The same for the validation split, when it is wired.' },
  },
  tensors: true,
  deterministic: true,
  inspect: (_params, inputs) => ({ problems: tokensFitModel(inputs.model, [inputs.test, inputs.validation]) }),
  async run(ctx, inputs, params) {
    const modelArtifact = inputs.model;
    if (modelArtifact === undefined) throw new StageUserError(`${STAGE}: input "model" is not connected`);
    if (modelArtifact.kind !== 'model') throw new StageUserError(`${STAGE}: input "model" must be a model, got ${modelArtifact.kind}`);
    const splits = splitInputs(inputs, STAGE);

    const { initBackend } = await import('../../src/nn/backend/index.js');
    const { loadModel } = await import('../../src/nn/checkpoint/load.js');
    const { readTokens } = await import('../../src/artifacts/tokens.js');
    const { inferLogits, probabilitiesOf, argmax, meanCrossEntropy } = await import('../../src/predict/infer.js');
    const { readFndModelInfo } = await import('../../src/predict/fnd-json.js');
    const { confusionMatrixSvg } = await import('../../src/plots/charts.js');
    const { wasmInferenceBatch } = await import('../../src/predict/memory.js');
    const tf = await import('@tensorflow/tfjs-core');

    const backend = await initBackend({ device: ctx.device });
    const startTensors = tf.memory().numTensors;
    const model = await loadModel(modelArtifact.path, { download: false });
    const fnd = await readFndModelInfo(modelArtifact.path);
    const metrics: Record<string, MetricValue> = {};
    const summaries: string[] = [];
    try {
      for (const split of splits) {
        const tokens = await readTokens(tokensInput(split.artifact, split.port, STAGE).path);
        checkCompatible(tokens.header, tokens.labels, model.config, split.port);
        const names = labelNamesOf(model.config.id2label, fnd?.labels, tokens.header.labels, `input "${split.port}" from ${split.artifact.producer.stageId}`);
        let batchSize = params.batch_size;
        if (tf.getBackend() === 'wasm') {
          batchSize = wasmInferenceBatch(model.config, batchSize, tokens.header.maxLength, model.numParameters());
          if (batchSize < params.batch_size) {
            ctx.log.info(`${split.port}: evaluating in batches of ${batchSize} (batch_size ${params.batch_size} at length ${tokens.header.maxLength} does not fit the wasm heap; the metrics are the same)`);
          }
        }
        const inference = await inferLogits(model, tokens, {
          batchSize,
          signal: ctx.signal,
          onProgress: (done, total) => ctx.progress({ current: done, total, unit: 'examples', message: split.port }),
        });
        const probabilities = probabilitiesOf(inference);
        const yTrue = Array.from(tokens.labels);
        const yPred = probabilities.map(argmax);
        const rows: PredictionRow[] = probabilities.map((p, i) => ({
          id: tokens.rowIds[i]!,
          label: yTrue[i]!,
          predicted: yPred[i]!,
          probabilities: p,
          confidence: p[yPred[i]!]!,
        }));
        const m = classificationMetrics(yTrue, yPred, { labelNames: names });
        const report = classificationReport(yTrue, yPred, { labelNames: names, digits: params.report_digits });
        const loss = meanCrossEntropy(inference, yTrue);
        const examplesPerSecond = inference.count / Math.max(inference.seconds, 1e-9);
        metrics[split.port] = { ...classificationMetricsRecord(m), classification_report: report, loss, examples_per_second: examplesPerSecond };
        for (const warning of m.warnings) ctx.log.warn(`${split.port}: ${warning.message}`);

        await writeTable(ctx.outputDir(split.outputPort), rows, { labels: names });
        await writeFileChunks(join(ctx.exportDir, `predictions-${split.port}.jsonl`), rows.map((row) => JSON.stringify(row) + '\n'));
        if (split.port === 'test') {
          await writeFileChunks(join(ctx.exportDir, 'classification-report-test.txt'), [report]);
          const labelList = m.labels.map((label) => names[String(label)] ?? String(label));
          await writeFileChunks(join(ctx.exportDir, 'confusion-test.svg'), [await confusionMatrixSvg(m.confusionMatrix, labelList, 'Confusion matrix (test)')]);
        }
        ctx.log.info(`${split.port}: accuracy ${m.accuracy.toFixed(4)}, f1 ${m.weighted.f1.toFixed(4)}, loss ${loss.toFixed(4)}, ${examplesPerSecond.toFixed(1)} examples/s`);
        summaries.push(`${split.port} accuracy ${m.accuracy.toFixed(4)} f1 ${m.weighted.f1.toFixed(4)}`);
      }
    } finally {
      model.dispose();
    }
    const leaked = tf.memory().numTensors - startTensors;
    if (leaked !== 0) ctx.log.warn(`${leaked} tensors were not released after evaluation (a bug in fnd)`);
    metrics.backend = backend.name;
    return { metrics, summary: summaries.join(', ') };
  },
});

/** The tokens must fit the model: vocabulary, positions, labels. Each mismatch is one message. */
function checkCompatible(
  header: { vocabSize: number; maxLength: number; hasLabels: boolean },
  labels: Int32Array,
  config: { vocabSize: number; maxPositionEmbeddings: number; numLabels: number },
  port: string,
): void {
  const where = `${STAGE}: input "${port}"`;
  if (header.vocabSize > config.vocabSize) {
    throw new StageUserError(`${where} was tokenized with a vocabulary of ${header.vocabSize} tokens, but the model's embeddings have ${config.vocabSize} rows`);
  }
  if (header.maxLength > config.maxPositionEmbeddings) {
    throw new StageUserError(`${where} has max_length ${header.maxLength}, more than the model's max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  if (labels.length === 0) throw new StageUserError(`${where} has no rows`);
  const missing = labels.findIndex((label) => label < 0);
  if (missing >= 0) throw new StageUserError(`${where}: row ${missing + 1} has no label; evaluation needs a label on every row`);
  const outside = labels.findIndex((label) => label >= config.numLabels);
  if (outside >= 0) {
    throw new StageUserError(`${where}: row ${outside + 1} has label ${labels[outside]}, but the model has ${config.numLabels} classes (set num_labels in init-bert)`);
  }
}

export type { Artifact };
