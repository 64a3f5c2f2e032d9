/** What an HTML report reads from run folders: the training history and the confusion matrices in metrics. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunMetrics } from '../runs/record.js';

export interface HistoryPoint {
  step: number;
  loss: number;
  learningRate?: number;
}

export interface EpochPoint {
  epoch: number;
  metrics: Record<string, number>;
}

export interface RunHistory {
  steps: HistoryPoint[];
  epochs: EpochPoint[];
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * `history.json` as the train stage exports it (`{steps: [{step, loss, learning_rate}], epochs:
 * [{epoch, metrics}]}`); undefined when the run has none. Non-finite points (a diverged loss)
 * cannot be drawn and are left out, counted in `dropped` so the report can say so.
 */
export async function readHistory(runDir: string): Promise<(RunHistory & { dropped: number }) | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(runDir, 'history.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as { steps?: unknown; epochs?: unknown };
  let dropped = 0;
  const steps: HistoryPoint[] = [];
  for (const s of Array.isArray(raw.steps) ? raw.steps : []) {
    const step = s as Record<string, unknown>;
    if (!finite(step.step) || !finite(step.loss)) {
      dropped++;
      continue;
    }
    const lr = step.learning_rate ?? step.lr;
    steps.push({ step: step.step, loss: step.loss, ...(finite(lr) ? { learningRate: lr } : {}) });
  }
  const epochs: EpochPoint[] = [];
  for (const e of Array.isArray(raw.epochs) ? raw.epochs : []) {
    const entry = e as Record<string, unknown>;
    if (!finite(entry.epoch) || typeof entry.metrics !== 'object' || entry.metrics === null) continue;
    const metrics: Record<string, number> = {};
    for (const [name, v] of Object.entries(entry.metrics as Record<string, unknown>)) {
      if (finite(v)) metrics[name] = v;
      else dropped++;
    }
    epochs.push({ epoch: entry.epoch, metrics });
  }
  return { steps, epochs, dropped };
}

export interface ConfusionMatrix {
  /** e.g. `evaluate.test`. */
  path: string;
  matrix: number[][];
  labels: string[];
}

function isMatrix(value: unknown): value is number[][] {
  return Array.isArray(value) && value.length > 0 && value.every((row) => Array.isArray(row) && row.length === value.length && row.every(finite));
}

/** Every `confusion_matrix` in a run's metrics (one level of nesting per split), test splits first. */
export function confusionMatrices(metrics: RunMetrics): ConfusionMatrix[] {
  const found: ConfusionMatrix[] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const record = value as Record<string, unknown>;
    if (isMatrix(record.confusion_matrix)) {
      const size = record.confusion_matrix.length;
      const labels = Array.isArray(record.labels) && record.labels.length === size ? record.labels.map(String) : Array.from({ length: size }, (_, i) => String(i));
      found.push({ path, matrix: record.confusion_matrix, labels });
    }
    for (const [key, child] of Object.entries(record)) if (key !== 'confusion_matrix') visit(child, path === '' ? key : `${path}.${key}`);
  };
  visit(metrics, '');
  const rank = (m: ConfusionMatrix) => (/\btest\b/.test(m.path) ? 0 : 1);
  return found.sort((a, b) => rank(a) - rank(b));
}
