/**
 * The Trainer's evaluation: the model in eval mode (no dropout) over the validation split in
 * batches, the mean cross-entropy as `loss`, and the notebook's compute_metrics (accuracy;
 * precision, recall and F1 weighted) plus macro averages, with scikit-learn's definitions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FndDataError } from '../util/errors.js';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import type { TrainingDataset } from './dataset.js';
import { classificationMetrics } from '../metrics/classification.js';
import { classificationMetricsRecord } from '../metrics/record.js';
import { chunk } from './order.js';

export interface EvaluationResult {
  metrics: Record<string, number>;
  predictions: number[];
  runtimeSeconds: number;
}

/** Labels of every row, refusing rows without one (they cannot be scored). */
export function requireLabels(tokens: TrainingDataset, split: string, numLabels: number): number[] {
  const labels = Array.from(tokens.labels);
  labels.forEach((label, i) => {
    if (label < 0) throw new FndDataError(`train: ${split} row ${tokens.rowIds[i]} has no label; every ${split} row needs one`);
    if (label >= numLabels) {
      throw new FndDataError(`train: ${split} row ${tokens.rowIds[i]} has label ${label}, but the model has ${numLabels} labels (0..${numLabels - 1})`);
    }
  });
  return labels;
}

export function evaluateModel(
  model: BertForSequenceClassification,
  tokens: TrainingDataset,
  options: { batchSize: number; signal?: AbortSignal },
): EvaluationResult {
  const started = performance.now();
  const yTrue = requireLabels(tokens, 'validation', model.config.numLabels);
  const predictions: number[] = [];
  let lossSum = 0;
  const indices = Array.from({ length: tokens.count }, (_, i) => i);
  for (const rows of chunk(indices, options.batchSize)) {
    options.signal?.throwIfAborted();
    // Padding to the batch's longest row changes no number (masked positions weigh 0) and saves work.
    const b = tokens.batch(rows, 'longest');
    const shape: [number, number] = [rows.length, b.length];
    const out = model.forward({ inputIds: { data: b.inputIds, shape }, attentionMask: { data: b.attentionMask, shape } }, { training: false });
    const logits = out.logits.dataSync() as Float32Array;
    tf.dispose(out);
    const k = model.config.numLabels;
    for (let r = 0; r < rows.length; r++) {
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < k; c++) {
        const v = logits[r * k + c]!;
        if (v > max) {
          max = v;
          arg = c;
        }
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logits[r * k + c]! - max);
      lossSum += -(logits[r * k + b.labels[r]!]! - max - Math.log(sum));
      predictions.push(arg);
    }
  }
  const m = classificationMetrics(yTrue, predictions, { zeroDivision: 0 });
  return {
    metrics: { loss: lossSum / tokens.count, ...epochScores(m) },
    predictions,
    runtimeSeconds: (performance.now() - started) / 1000,
  };
}

/** The scalar scores of an evaluation (weighted like the notebook's compute_metrics, and macro). */
function epochScores(m: ReturnType<typeof classificationMetrics>) {
  const { accuracy, precision, recall, f1, precision_macro, recall_macro, f1_macro } = classificationMetricsRecord(m) as Record<string, number>;
  return { accuracy, precision, recall, f1, precision_macro, recall_macro, f1_macro } as Record<string, number>;
}
