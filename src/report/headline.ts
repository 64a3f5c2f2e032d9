/**
 * What a run report opens with, found once for report.md and the HTML page alike: the test
 * split's scores (else validation's), its per-class scores and confusion matrix (row-normalised
 * too when there are more than two classes), and the training epochs. Pure: metrics in, data out.
 */
import type { RunMetrics } from '../runs/record.js';

/** Headline scores in reading order; the names are those of the metrics record (metrics/record.ts). */
const HEADLINE_SCORES: readonly (readonly [key: string, title: string])[] = [
  ['accuracy', 'accuracy'],
  ['f1', 'F1 (weighted)'],
  ['precision', 'precision (weighted)'],
  ['recall', 'recall (weighted)'],
  ['f1_macro', 'F1 (macro)'],
  ['loss', 'loss'],
  ['count', 'examples'],
];

/** Keys the headline shows, so stage details can leave them out instead of repeating them. */
export const HEADLINE_KEYS: ReadonlySet<string> = new Set([...HEADLINE_SCORES.map(([key]) => key), 'per_class', 'labels', 'confusion_matrix']);

export interface PerClassRow {
  name: string;
  precision?: number;
  recall?: number;
  f1?: number;
  support?: number;
}

export interface HeadlineMatrix {
  labels: string[];
  counts: number[][];
  /** Each row divided by its sum (the recall of that class on the diagonal); only for more than two classes. */
  normalized?: number[][];
}

export interface Headline {
  /** The stage that emitted the scores, e.g. `evaluate`. */
  stageId: string;
  /** The split, e.g. `test`; empty when the stage's metrics are not split. */
  split: string;
  scores: { key: string; title: string; value: number }[];
  perClass: PerClassRow[];
  matrix?: HeadlineMatrix;
}

export type EpochRow = Record<string, unknown>;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSquareMatrix(value: unknown): value is number[][] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((row) => Array.isArray(row) && row.length === value.length && row.every((v) => typeof v === 'number' && Number.isFinite(v)))
  );
}

const SPLIT_RANK: Record<string, number> = { test: 0, validation: 1, valid: 1, val: 1, eval: 1 };

/** A block of classification scores: it has an accuracy or a confusion matrix. */
function isScoreBlock(value: unknown): value is Json {
  return isRecord(value) && (typeof value.accuracy === 'number' || isSquareMatrix(value.confusion_matrix));
}

/** Row-normalised copy: each row over its sum; an all-zero row (a class absent from the split) stays zero. */
export function normalizeRows(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((sum, v) => sum + v, 0);
    return row.map((v) => (total === 0 ? 0 : v / total));
  });
}

function matrixOf(block: Json): HeadlineMatrix | undefined {
  const counts = block.confusion_matrix;
  if (!isSquareMatrix(counts)) return undefined;
  const labels = Array.isArray(block.labels) && block.labels.length === counts.length ? block.labels.map(String) : counts.map((_, i) => String(i));
  return { labels, counts, ...(counts.length > 2 ? { normalized: normalizeRows(counts) } : {}) };
}

function perClassOf(block: Json): PerClassRow[] {
  if (!isRecord(block.per_class)) return [];
  const number = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return Object.entries(block.per_class).flatMap(([name, scores]) => {
    if (!isRecord(scores)) return [];
    const row: PerClassRow = { name };
    for (const key of ['precision', 'recall', 'f1', 'support'] as const) {
      const value = number(scores[key]);
      if (value !== undefined) row[key] = value;
    }
    return [row];
  });
}

/** The scores to lead with: the test split of the first stage that has one, else validation, else any. */
export function findHeadline(metrics: RunMetrics): Headline | undefined {
  const candidates: { stageId: string; split: string; block: Json; rank: number }[] = [];
  for (const [stageId, stageMetrics] of Object.entries(metrics)) {
    if (!isRecord(stageMetrics)) continue;
    if (isScoreBlock(stageMetrics)) candidates.push({ stageId, split: '', block: stageMetrics, rank: 2 });
    for (const [split, block] of Object.entries(stageMetrics)) {
      if (isScoreBlock(block)) candidates.push({ stageId, split, block, rank: SPLIT_RANK[split] ?? 2 });
    }
  }
  const best = candidates.sort((a, b) => a.rank - b.rank)[0];
  if (best === undefined) return undefined;
  const scores = HEADLINE_SCORES.flatMap(([key, title]) => {
    const value = best.block[key];
    return typeof value === 'number' ? [{ key, title, value }] : [];
  });
  const matrix = matrixOf(best.block);
  return { stageId: best.stageId, split: best.split, scores, perClass: perClassOf(best.block), ...(matrix ? { matrix } : {}) };
}

/** Per-epoch rows (`epoch`, `train_loss`, evaluation scores) of the first stage that logged them. */
export function findEpochs(metrics: RunMetrics): { stageId: string; rows: EpochRow[]; columns: string[] } | undefined {
  for (const [stageId, stageMetrics] of Object.entries(metrics)) {
    const epochs = isRecord(stageMetrics) ? stageMetrics.epochs : undefined;
    if (!Array.isArray(epochs) || epochs.length === 0 || !epochs.every(isRecord)) continue;
    const columns = [...new Set(epochs.flatMap((row) => Object.keys(row)))];
    return { stageId, rows: epochs, columns };
  }
  return undefined;
}
