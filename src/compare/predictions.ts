/**
 * Prediction-level comparison of two runs (`fnd diff`): the runs' exported
 * `predictions-<split>.jsonl` matched by example id, flips in either direction with a few
 * examples, and a paired bootstrap interval for the differences in accuracy and weighted F1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PredictionDiff, PredictionFlip } from '../runs/diff.js';
import type { RunMetrics } from '../runs/record.js';
import { FndError } from '../util/errors.js';
import { pairedBootstrap, type BootstrapOptions } from './bootstrap.js';

export interface PredictionRow {
  id: string;
  label: number;
  predicted: number;
  confidence: number;
  title?: string;
}

export function predictionsFile(split: string): string {
  return `predictions-${split}.jsonl`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON lines, each checked; a bad line is an error naming FILE:LINE. */
export function parsePredictions(text: string, file: string): PredictionRow[] {
  const rows: PredictionRow[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = { file, line: index + 1, col: 1 };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FndError(`not valid JSON (${(error as Error).message})`, { location: where });
    }
    if (!isObject(value)) throw new FndError('a prediction must be a JSON object', { location: where });
    const id = typeof value.id === 'number' ? String(value.id) : value.id;
    if (typeof id !== 'string' || id === '') throw new FndError('a prediction needs a string "id"', { location: where });
    if (seen.has(id)) throw new FndError(`example id "${id}" appears twice`, { location: where });
    seen.add(id);
    for (const field of ['label', 'predicted'] as const) {
      if (!Number.isInteger(value[field])) throw new FndError(`"${field}" of example "${id}" must be an integer class, got ${JSON.stringify(value[field])}`, { location: where });
    }
    const predicted = value.predicted as number;
    const probabilities = Array.isArray(value.probabilities) ? (value.probabilities as unknown[]) : undefined;
    const fromProbabilities = probabilities?.[predicted];
    const confidence = typeof value.confidence === 'number' ? value.confidence : typeof fromProbabilities === 'number' ? fromProbabilities : Number.NaN;
    const row: PredictionRow = { id, label: value.label as number, predicted, confidence };
    if (typeof value.title === 'string') row.title = value.title;
    rows.push(row);
  });
  return rows;
}

/** The run's predictions for `split`, or undefined when it exported none. */
export async function readPredictions(runDir: string, split: string): Promise<PredictionRow[] | undefined> {
  const file = join(runDir, predictionsFile(split));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FndError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parsePredictions(text, file);
}

/**
 * Titles by example id from the error-analysis export (`misclassified.jsonl`): every flipped
 * example is a mistake of one of the two runs, so the two files together name all of them.
 */
export async function readTitles(runDir: string): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(join(runDir, 'misclassified.jsonl'), 'utf8');
  } catch {
    return titles;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      if ((typeof value.id === 'string' || typeof value.id === 'number') && typeof value.title === 'string') titles.set(String(value.id), value.title);
    } catch {
      // A malformed line only costs an excerpt; the comparison itself does not depend on it.
    }
  }
  return titles;
}

/** Class names by index from an evaluate-style metrics object (`{<stage>: {<split>: {labels: [...]}}}`). */
export function labelNamesFrom(metrics: RunMetrics, split: string): string[] | undefined {
  for (const stageMetrics of Object.values(metrics)) {
    const splitMetrics = stageMetrics[split];
    if (isObject(splitMetrics) && Array.isArray(splitMetrics.labels) && splitMetrics.labels.every((l) => typeof l === 'string')) {
      return splitMetrics.labels as string[];
    }
  }
  return undefined;
}

export interface ComparePredictionsOptions {
  split: string;
  /** How many flips of each direction to list; default 5. */
  examples?: number;
  bootstrap?: BootstrapOptions;
  titles?: ReadonlyMap<string, string>;
  labelNames?: readonly string[];
}

/** Pure: the paired comparison of two runs' predictions on the examples both have. */
export function comparePredictions(a: readonly PredictionRow[], b: readonly PredictionRow[], options: ComparePredictionsOptions): PredictionDiff {
  const byIdB = new Map(b.map((row) => [row.id, row]));
  const truth: number[] = [];
  const predA: number[] = [];
  const predB: number[] = [];
  const rightToWrong: PredictionFlip[] = [];
  const wrongToRight: PredictionFlip[] = [];
  const limit = options.examples ?? 5;
  const name = (label: number): string | number => options.labelNames?.[label] ?? label;
  for (const rowA of a) {
    const rowB = byIdB.get(rowA.id);
    if (!rowB) continue;
    if (rowA.label !== rowB.label) {
      throw new FndError(
        `example "${rowA.id}" has label ${rowA.label} in run A but ${rowB.label} in run B: the runs were not evaluated on the same ${options.split} data`,
      );
    }
    truth.push(rowA.label);
    predA.push(rowA.predicted);
    predB.push(rowB.predicted);
    const rightA = rowA.predicted === rowA.label;
    const rightB = rowB.predicted === rowB.label;
    if (rightA === rightB) continue;
    const flip: PredictionFlip = {
      id: rowA.id,
      excerpt: rowA.title ?? rowB.title ?? options.titles?.get(rowA.id) ?? '',
      label: name(rowA.label),
      a: { prediction: name(rowA.predicted), confidence: rowA.confidence },
      b: { prediction: name(rowB.predicted), confidence: rowB.confidence },
    };
    (rightA ? rightToWrong : wrongToRight).push(flip);
  }
  const diff: PredictionDiff = {
    split: options.split,
    paired: truth.length,
    rightToWrong: rightToWrong.length,
    wrongToRight: wrongToRight.length,
    examples: [...rightToWrong.slice(0, limit), ...wrongToRight.slice(0, limit)],
  };
  if (truth.length < a.length || truth.length < b.length) diff.unpaired = { a: a.length - truth.length, b: b.length - truth.length };
  if (truth.length > 0) diff.bootstrap = pairedBootstrap(truth, predA, predB, options.bootstrap);
  return diff;
}

export interface RunPredictionsInput {
  id: string;
  dir: string;
  metrics: RunMetrics;
}

export interface PredictionsOutcome {
  predictions?: PredictionDiff[];
  /** One line saying why nothing was compared (a run without a predictions file). */
  note?: string;
}

/** Loads both runs' predictions for `split` and compares them, or says in one line why not. */
export async function diffPredictions(
  a: RunPredictionsInput,
  b: RunPredictionsInput,
  options: { split?: string; examples?: number; bootstrap?: BootstrapOptions } = {},
): Promise<PredictionsOutcome> {
  const split = options.split ?? 'test';
  const [rowsA, rowsB] = await Promise.all([readPredictions(a.dir, split), readPredictions(b.dir, split)]);
  const missing = [rowsA ? undefined : `A (${a.id})`, rowsB ? undefined : `B (${b.id})`].filter((x): x is string => x !== undefined);
  if (missing.length > 0) {
    const file = predictionsFile(split);
    const who = missing.length === 2 ? 'neither run has' : `run ${missing[0]} has no`;
    return { note: `predictions not compared: ${who}${missing.length === 2 ? ' a' : ''} ${file}` };
  }
  const [titlesA, titlesB] = await Promise.all([readTitles(a.dir), readTitles(b.dir)]);
  const titles = new Map([...titlesB, ...titlesA]);
  const labelNames = labelNamesFrom(a.metrics, split) ?? labelNamesFrom(b.metrics, split);
  const diff = comparePredictions(rowsA!, rowsB!, {
    split,
    titles,
    ...(labelNames ? { labelNames } : {}),
    ...(options.examples !== undefined ? { examples: options.examples } : {}),
    ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
  });
  if (diff.paired === 0) return { note: `predictions not compared: the two runs' ${predictionsFile(split)} share no example ids` };
  return { predictions: [diff] };
}
