/**
 * Classification metrics with scikit-learn's definitions (version 1.2):
 * `accuracy_score`, `precision_recall_fscore_support`, `confusion_matrix`, `classification_report`.
 * Users compare these numbers with the ones their notebooks print, so the edge cases follow
 * scikit-learn exactly: labels default to the sorted union of y_true and y_pred, a zero
 * denominator gives 0.0 (or 1.0 with `zeroDivision: 1`) and, with the default `'warn'`, a warning
 * naming the labels concerned; weighted averages weigh by true support.
 *
 * Pure functions, no I/O.
 */
import { FndError } from '../util/errors.js';
import { formatFixed } from './format.js';

/** scikit-learn's `zero_division`: `'warn'` behaves as 0 and also reports a warning. */
export type ZeroDivision = 'warn' | 0 | 1;
export type Average = 'micro' | 'macro' | 'weighted';
/** Display names by position in `labels`, or by label id as a string key (a table.json `labels` map). */
export type LabelNames = readonly string[] | Readonly<Record<string, string>>;

export interface MetricWarning {
  metric: 'precision' | 'recall';
  /** The labels whose score was ill-defined (empty for a micro average). */
  labels: number[];
  /** scikit-learn's UndefinedMetricWarning text. */
  message: string;
}

export interface ScoreArrays {
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  warnings: MetricWarning[];
}

export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
  /** Sum of the true supports of the labels considered. */
  support: number;
}

export interface ClassScores extends AveragedScores {
  label: number;
  name: string;
}

export interface ClassificationMetrics {
  labels: number[];
  names: string[];
  /** Number of samples. */
  count: number;
  accuracy: number;
  perClass: ClassScores[];
  micro: AveragedScores;
  macro: AveragedScores;
  weighted: AveragedScores;
  /** Rows are true labels, columns predicted labels, both in `labels` order. */
  confusionMatrix: number[][];
  warnings: MetricWarning[];
}

export interface MetricOptions {
  /** Labels to report, in order. Default: sorted union of the labels in y_true and y_pred. */
  labels?: readonly number[];
  labelNames?: LabelNames;
  zeroDivision?: ZeroDivision;
}

/** Throws unless both arrays are non-empty, of equal length, and hold integers. */
function checkTargets(yTrue: readonly number[], yPred: readonly number[]): void {
  if (yTrue.length !== yPred.length) {
    throw new FndError(`metrics: y_true has ${yTrue.length} labels but y_pred has ${yPred.length}`);
  }
  if (yTrue.length === 0) throw new FndError('metrics: no samples (y_true and y_pred are empty)');
  for (const [name, values] of [['y_true', yTrue], ['y_pred', yPred]] as const) {
    values.forEach((value, index) => {
      if (!Number.isInteger(value)) {
        throw new FndError(`metrics: ${name}[${index}] is ${JSON.stringify(value)}, expected an integer class label`);
      }
    });
  }
}

/** Sorted union of the labels that occur in the arrays (scikit-learn's `unique_labels`). */
export function uniqueLabels(...arrays: ReadonlyArray<readonly number[]>): number[] {
  const set = new Set<number>();
  for (const array of arrays) for (const value of array) set.add(value);
  return [...set].sort((a, b) => a - b);
}

function resolveLabels(yTrue: readonly number[], yPred: readonly number[], labels?: readonly number[]): number[] {
  if (labels === undefined) return uniqueLabels(yTrue, yPred);
  if (labels.length === 0) throw new FndError('metrics: labels must hold at least one label');
  if (new Set(labels).size !== labels.length) throw new FndError(`metrics: labels has duplicates: ${JSON.stringify(labels)}`);
  return [...labels];
}

/** Name of each label: from `labelNames` when it has one, else the label itself. */
export function labelNamesFor(labels: readonly number[], labelNames?: LabelNames): string[] {
  if (labelNames === undefined) return labels.map(String);
  if (Array.isArray(labelNames)) {
    const names = labelNames as readonly string[];
    if (names.length !== labels.length) {
      throw new FndError(`metrics: ${labels.length} labels (${labels.join(', ')}) but ${names.length} label names (${names.join(', ')})`);
    }
    return [...names];
  }
  const byId = labelNames as Readonly<Record<string, string>>;
  return labels.map((label) => byId[String(label)] ?? String(label));
}

/** Fraction of samples whose prediction equals the true label. */
export function accuracyScore(yTrue: readonly number[], yPred: readonly number[]): number {
  checkTargets(yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** Confusion matrix: rows = true, columns = predicted; samples with a label outside `labels` are left out, as scikit-learn does. */
export function confusionMatrix(yTrue: readonly number[], yPred: readonly number[], labels?: readonly number[]): number[][] {
  checkTargets(yTrue, yPred);
  const order = resolveLabels(yTrue, yPred, labels);
  const index = new Map(order.map((label, i) => [label, i]));
  const matrix = order.map(() => order.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = index.get(yTrue[i]!);
    const col = index.get(yPred[i]!);
    if (row === undefined || col === undefined) continue;
    matrix[row]![col]!++;
  }
  return matrix;
}

interface Counts {
  tp: number[];
  predSum: number[];
  trueSum: number[];
}

function countPerLabel(yTrue: readonly number[], yPred: readonly number[], labels: readonly number[]): Counts {
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts: Counts = { tp: labels.map(() => 0), predSum: labels.map(() => 0), trueSum: labels.map(() => 0) };
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!);
    const p = index.get(yPred[i]!);
    if (t !== undefined) counts.trueSum[t]!++;
    if (p !== undefined) counts.predSum[p]!++;
    if (t !== undefined && t === p) counts.tp[t]!++;
  }
  return counts;
}

function warningText(metric: 'precision' | 'recall', size: number): string {
  const modifier = metric === 'precision' ? 'predicted' : 'true';
  const title = metric === 'precision' ? 'Precision' : 'Recall';
  const where = size === 1 ? 'due to' : 'in labels with';
  return `${title} and F-score are ill-defined and being set to 0.0 ${where} no ${modifier} samples. Use \`zero_division\` parameter to control this behavior.`;
}

/** scikit-learn's `_prf_divide`: elementwise division where a zero denominator gives the zero_division value. */
function divide(
  numerators: readonly number[],
  denominators: readonly number[],
  metric: 'precision' | 'recall',
  labels: readonly number[],
  zeroDivision: ZeroDivision,
  warnings: MetricWarning[],
): number[] {
  const ill: number[] = [];
  const result = numerators.map((n, i) => {
    const d = denominators[i]!;
    if (d !== 0) return n / d;
    ill.push(labels[i]!);
    return zeroDivision === 1 ? 1 : 0;
  });
  if (ill.length > 0 && zeroDivision === 'warn') {
    warnings.push({ metric, labels: ill, message: warningText(metric, numerators.length) });
  }
  return result;
}

function fScores(precision: readonly number[], recall: readonly number[]): number[] {
  return precision.map((p, i) => {
    const r = recall[i]!;
    const denom = p + r;
    return (2 * p * r) / (denom === 0 ? 1 : denom);
  });
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Per-label precision, recall, F1 and support (`precision_recall_fscore_support(average=None)`). */
export function perClassScores(
  yTrue: readonly number[],
  yPred: readonly number[],
  options: { labels?: readonly number[]; zeroDivision?: ZeroDivision } = {},
): ScoreArrays {
  checkTargets(yTrue, yPred);
  const labels = resolveLabels(yTrue, yPred, options.labels);
  const zeroDivision = options.zeroDivision ?? 'warn';
  const counts = countPerLabel(yTrue, yPred, labels);
  const warnings: MetricWarning[] = [];
  const precision = divide(counts.tp, counts.predSum, 'precision', labels, zeroDivision, warnings);
  const recall = divide(counts.tp, counts.trueSum, 'recall', labels, zeroDivision, warnings);
  return { labels, precision, recall, f1: fScores(precision, recall), support: counts.trueSum, warnings };
}

/** `precision_recall_fscore_support(average=...)` for 'micro', 'macro' or 'weighted'. */
export function averagedScores(
  yTrue: readonly number[],
  yPred: readonly number[],
  average: Average,
  options: { labels?: readonly number[]; zeroDivision?: ZeroDivision } = {},
): AveragedScores & { warnings: MetricWarning[] } {
  checkTargets(yTrue, yPred);
  const labels = resolveLabels(yTrue, yPred, options.labels);
  const zeroDivision = options.zeroDivision ?? 'warn';
  const counts = countPerLabel(yTrue, yPred, labels);
  const support = sum(counts.trueSum);
  const warnings: MetricWarning[] = [];
  if (average === 'micro') {
    const tp = [sum(counts.tp)];
    const precision = divide(tp, [sum(counts.predSum)], 'precision', [], zeroDivision, warnings);
    const recall = divide(tp, [support], 'recall', [], zeroDivision, warnings);
    return { precision: precision[0]!, recall: recall[0]!, f1: fScores(precision, recall)[0]!, support, warnings };
  }
  const precision = divide(counts.tp, counts.predSum, 'precision', labels, zeroDivision, warnings);
  const recall = divide(counts.tp, counts.trueSum, 'recall', labels, zeroDivision, warnings);
  const f1 = fScores(precision, recall);
  if (average === 'macro') {
    const n = labels.length;
    return { precision: sum(precision) / n, recall: sum(recall) / n, f1: sum(f1) / n, support, warnings };
  }
  if (support === 0) {
    // No true sample has any of the labels: scikit-learn returns fixed values instead of dividing by 0.
    const value = zeroDivision === 1 ? 1 : 0;
    if (sum(counts.predSum) === 0) return { precision: value, recall: value, f1: value, support, warnings };
    return { precision: 0, recall: value, f1: 0, support, warnings };
  }
  const weightedMean = (values: readonly number[]): number => sum(values.map((v, i) => v * counts.trueSum[i]!)) / support;
  return { precision: weightedMean(precision), recall: weightedMean(recall), f1: weightedMean(f1), support, warnings };
}

/** Everything an evaluation reports, in one pass of the definitions above. */
export function classificationMetrics(
  yTrue: readonly number[],
  yPred: readonly number[],
  options: MetricOptions = {},
): ClassificationMetrics {
  checkTargets(yTrue, yPred);
  const labels = resolveLabels(yTrue, yPred, options.labels);
  const names = labelNamesFor(labels, options.labelNames);
  const scoreOptions = { labels, zeroDivision: options.zeroDivision ?? 'warn' } as const;
  const perClass = perClassScores(yTrue, yPred, scoreOptions);
  const strip = ({ precision, recall, f1, support }: AveragedScores): AveragedScores => ({ precision, recall, f1, support });
  return {
    labels,
    names,
    count: yTrue.length,
    accuracy: accuracyScore(yTrue, yPred),
    perClass: labels.map((label, i) => ({
      label,
      name: names[i]!,
      precision: perClass.precision[i]!,
      recall: perClass.recall[i]!,
      f1: perClass.f1[i]!,
      support: perClass.support[i]!,
    })),
    micro: strip(averagedScores(yTrue, yPred, 'micro', scoreOptions)),
    macro: strip(averagedScores(yTrue, yPred, 'macro', scoreOptions)),
    weighted: strip(averagedScores(yTrue, yPred, 'weighted', scoreOptions)),
    confusionMatrix: confusionMatrix(yTrue, yPred, labels),
    // The averages raise the same per-label warnings; report them once.
    warnings: perClass.warnings,
  };
}

export interface ReportOptions {
  labels?: readonly number[];
  /** scikit-learn's `target_names`: by position in labels, or a label-id → name map. */
  labelNames?: LabelNames;
  /** Digits after the point (scikit-learn's default: 2). */
  digits?: number;
  zeroDivision?: ZeroDivision;
}

/** Pads on the left to `width` code points, like Python's `{:>N}` (never truncates). */
function padLeft(text: string, width: number): string {
  const length = Array.from(text).length;
  return length >= width ? text : ' '.repeat(width - length) + text;
}

/** The text `sklearn.metrics.classification_report` prints, character for character. */
export function classificationReport(yTrue: readonly number[], yPred: readonly number[], options: ReportOptions = {}): string {
  checkTargets(yTrue, yPred);
  const digits = options.digits ?? 2;
  const zeroDivision = options.zeroDivision ?? 'warn';
  const present = uniqueLabels(yTrue, yPred);
  const labels = resolveLabels(yTrue, yPred, options.labels);
  // scikit-learn labels the micro average "accuracy" only when it equals accuracy.
  const microIsAccuracy =
    options.labels === undefined || (new Set(labels).size === present.length && present.every((label) => labels.includes(label)));
  const names = labelNamesFor(labels, options.labelNames);
  const scores = perClassScores(yTrue, yPred, { labels, zeroDivision });

  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const width = Math.max(...names.map((name) => Array.from(name).length), 'weighted avg'.length, digits);
  const num = (value: number): string => ' ' + padLeft(formatFixed(value, digits), 9);
  const row = (name: string, p: number, r: number, f: number, s: number): string =>
    padLeft(name, width) + ' ' + num(p) + num(r) + num(f) + ' ' + padLeft(String(s), 9) + '\n';

  let report = padLeft('', width) + ' ' + headers.map((h) => ' ' + padLeft(h, 9)).join('') + '\n\n';
  names.forEach((name, i) => {
    report += row(name, scores.precision[i]!, scores.recall[i]!, scores.f1[i]!, scores.support[i]!);
  });
  report += '\n';
  const total = sum(scores.support);
  for (const average of ['micro', 'macro', 'weighted'] as const) {
    const avg = averagedScores(yTrue, yPred, average, { labels, zeroDivision });
    if (average === 'micro' && microIsAccuracy) {
      report += padLeft('accuracy', width) + ' ' + ' ' + padLeft('', 9) + ' ' + padLeft('', 9) + num(avg.f1) + ' ' + padLeft(String(total), 9) + '\n';
    } else {
      report += row(`${average} avg`, avg.precision, avg.recall, avg.f1, total);
    }
  }
  return report;
}

export interface LogLossOptions {
  /**
   * The class of each probability column, in column order once sorted ascending (as scikit-learn's
   * LabelBinarizer orders them). Default: 0 .. columns-1.
   */
  labels?: readonly number[];
  /** Probabilities are clipped to [eps, 1 - eps]. Default: float64 machine epsilon (scikit-learn's `eps="auto"`). */
  eps?: number;
}

/**
 * Mean cross-entropy of the true labels under predicted probabilities: scikit-learn's `log_loss`
 * (clip to [eps, 1-eps], renormalise each row, mean of -log p(true class)).
 */
export function logLoss(yTrue: readonly number[], probabilities: ReadonlyArray<readonly number[]>, options: LogLossOptions = {}): number {
  if (yTrue.length !== probabilities.length) {
    throw new FndError(`log loss: ${yTrue.length} labels but ${probabilities.length} probability rows`);
  }
  if (yTrue.length === 0) throw new FndError('log loss: no samples');
  const columns = probabilities[0]!.length;
  const labels = options.labels ? [...options.labels].sort((a, b) => a - b) : Array.from({ length: columns }, (_, i) => i);
  if (labels.length < 2) throw new FndError(`log loss: needs at least two classes, got ${labels.length}`);
  if (labels.length !== columns) {
    throw new FndError(`log loss: ${labels.length} classes (${labels.join(', ')}) but ${columns} probability columns`);
  }
  const eps = options.eps ?? Number.EPSILON;
  const column = new Map(labels.map((label, i) => [label, i]));
  let total = 0;
  probabilities.forEach((row, i) => {
    if (row.length !== columns) throw new FndError(`log loss: probability row ${i} has ${row.length} values, expected ${columns}`);
    const label = yTrue[i]!;
    const j = column.get(label);
    if (j === undefined) throw new FndError(`log loss: y_true[${i}] = ${label} is not one of the classes ${labels.join(', ')}`);
    const clipped = row.map((p) => {
      if (!Number.isFinite(p)) throw new FndError(`log loss: probability row ${i} holds ${p}`);
      return Math.min(Math.max(p, eps), 1 - eps);
    });
    total += -Math.log(clipped[j]! / sum(clipped));
  });
  return total / yTrue.length;
}
