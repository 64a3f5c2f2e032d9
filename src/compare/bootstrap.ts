/**
 * Paired bootstrap for the difference between two classifiers evaluated on the same examples:
 * every resample draws the same example indices for both runs, so the interval reflects the
 * difference between the models rather than the luck of the test set. Percentile intervals.
 */
import type { ConfidenceInterval } from '../runs/diff.js';
import { createRng } from '../util/rng.js';
import { quantileSorted } from './stats.js';

export interface BootstrapOptions {
  /** Default 1000. */
  resamples?: number;
  /** Default 0. */
  seed?: number;
  /** Default 0.95. */
  level?: number;
}

export interface BootstrapResult {
  resamples: number;
  seed: number;
  level: number;
  intervals: ConfidenceInterval[];
}

/** Paired outcomes as dense class indices: what the resampling loop reads. */
interface Encoded {
  truth: Int32Array;
  a: Int32Array;
  b: Int32Array;
  classes: number;
}

function encode(truth: readonly number[], a: readonly number[], b: readonly number[]): Encoded {
  const index = new Map<number, number>();
  const code = (label: number) => {
    let found = index.get(label);
    if (found === undefined) {
      found = index.size;
      index.set(label, found);
    }
    return found;
  };
  const out = { truth: new Int32Array(truth.length), a: new Int32Array(truth.length), b: new Int32Array(truth.length) };
  for (let i = 0; i < truth.length; i++) {
    out.truth[i] = code(truth[i]!);
    out.a[i] = code(a[i]!);
    out.b[i] = code(b[i]!);
  }
  return { ...out, classes: index.size };
}

/** Counts for one side, reused across resamples to avoid allocating per resample. */
class Tally {
  readonly tp: Float64Array;
  readonly predicted: Float64Array;
  readonly actual: Float64Array;
  correct = 0;
  total = 0;
  constructor(classes: number) {
    this.tp = new Float64Array(classes);
    this.predicted = new Float64Array(classes);
    this.actual = new Float64Array(classes);
  }
  reset(): void {
    this.tp.fill(0);
    this.predicted.fill(0);
    this.actual.fill(0);
    this.correct = 0;
    this.total = 0;
  }
  add(truth: number, predicted: number, weight = 1): void {
    this.total += weight;
    this.actual[truth]! += weight;
    this.predicted[predicted]! += weight;
    if (truth === predicted) {
      this.correct += weight;
      this.tp[truth]! += weight;
    }
  }
  accuracy(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }
  /**
   * scikit-learn's weighted F1 (zero_division=0): per-class F1 = 2·TP / (predicted + actual),
   * weighted by true support. Classes without support weigh nothing, so the label set does not matter.
   */
  weightedF1(): number {
    if (this.total === 0) return 0;
    let sum = 0;
    for (let c = 0; c < this.tp.length; c++) {
      const actual = this.actual[c]!;
      if (actual === 0) continue;
      sum += (actual * (2 * this.tp[c]!)) / (this.predicted[c]! + actual);
    }
    return sum / this.total;
  }
}

const METRICS = [
  { name: 'accuracy', of: (t: Tally) => t.accuracy() },
  { name: 'f1 (weighted)', of: (t: Tally) => t.weightedF1() },
] as const;

/** Accuracy and weighted F1 of predictions against labels; exported for tests and reports. */
export function scoreOf(truth: readonly number[], predicted: readonly number[]): { accuracy: number; f1: number } {
  const encoded = encode(truth, predicted, predicted);
  const tally = new Tally(encoded.classes);
  for (let i = 0; i < truth.length; i++) tally.add(encoded.truth[i]!, encoded.a[i]!);
  return { accuracy: tally.accuracy(), f1: tally.weightedF1() };
}

/**
 * B − A for accuracy and weighted F1 with percentile intervals over `resamples` paired
 * resamples. The same seed gives the same intervals on every machine (createRng).
 */
export function pairedBootstrap(
  truth: readonly number[],
  predictedA: readonly number[],
  predictedB: readonly number[],
  options: BootstrapOptions = {},
): BootstrapResult {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  const n = truth.length;
  if (predictedA.length !== n || predictedB.length !== n) throw new Error('internal: paired bootstrap needs equally long arrays');
  const encoded = encode(truth, predictedA, predictedB);
  const a = new Tally(encoded.classes);
  const b = new Tally(encoded.classes);
  for (let i = 0; i < n; i++) {
    a.add(encoded.truth[i]!, encoded.a[i]!);
    b.add(encoded.truth[i]!, encoded.b[i]!);
  }
  const observed = METRICS.map((metric) => metric.of(b) - metric.of(a));
  const deltas = METRICS.map(() => new Float64Array(resamples));
  if (n > 0) {
    const rng = createRng(seed);
    // Draw counts per example rather than a list of indices: one pass per resample, no allocation.
    const weights = new Float64Array(n);
    for (let r = 0; r < resamples; r++) {
      weights.fill(0);
      for (let k = 0; k < n; k++) weights[rng.int(n)]! += 1;
      a.reset();
      b.reset();
      for (let i = 0; i < n; i++) {
        const w = weights[i]!;
        if (w === 0) continue;
        a.add(encoded.truth[i]!, encoded.a[i]!, w);
        b.add(encoded.truth[i]!, encoded.b[i]!, w);
      }
      METRICS.forEach((metric, m) => {
        deltas[m]![r] = metric.of(b) - metric.of(a);
      });
    }
  }
  const tail = (1 - level) / 2;
  const intervals = METRICS.map((metric, m) => {
    const sorted = deltas[m]!.sort();
    return { metric: metric.name, delta: observed[m]!, low: quantileSorted(sorted, tail), high: quantileSorted(sorted, 1 - tail) };
  });
  return { resamples, seed, level, intervals };
}
