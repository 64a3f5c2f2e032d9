import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracyScore,
  averagedScores,
  classificationMetrics,
  classificationReport,
  confusionMatrix,
  logLoss,
  perClassScores,
  type ZeroDivision,
} from '../../src/metrics/classification.js';
import { formatFixed } from '../../src/metrics/format.js';
import { FndError } from '../../src/util/errors.js';

interface OracleCase {
  name: string;
  y_true: number[];
  y_pred: number[];
  labels?: number[];
  target_names?: string[];
  digits: number;
  zero_division: ZeroDivision;
  warnings: string[];
  per_class: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
  micro: { precision: number; recall: number; f1: number };
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  accuracy: number;
  confusion_matrix: number[][];
  report: string;
  probabilities?: number[][];
  log_loss?: number;
}

const oracle = JSON.parse(readFileSync(new URL('../fixtures/metrics/cases.json', import.meta.url), 'utf8')) as {
  sklearn: string;
  cases: OracleCase[];
};

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(1e-12));
}

describe('hand-computed cases', () => {
  // y_true: 0 0 1 1 2 2 ; y_pred: 0 1 1 1 0 0 — class 2 is never predicted.
  const yTrue = [0, 0, 1, 1, 2, 2];
  const yPred = [0, 1, 1, 1, 0, 0];

  it('computes per-class scores and warns for a class never predicted', () => {
    const scores = perClassScores(yTrue, yPred);
    expect(scores.labels).toEqual([0, 1, 2]);
    // class 0: tp 1, predicted 3, true 2; class 1: tp 2, predicted 3, true 2; class 2: tp 0, predicted 0, true 2.
    expectClose(scores.precision, [1 / 3, 2 / 3, 0]);
    expectClose(scores.recall, [1 / 2, 1, 0]);
    expectClose(scores.f1, [(2 * (1 / 3) * 0.5) / (1 / 3 + 0.5), (2 * (2 / 3)) / (2 / 3 + 1), 0]);
    expect(scores.support).toEqual([2, 2, 2]);
    expect(scores.warnings).toEqual([
      {
        metric: 'precision',
        labels: [2],
        message:
          'Precision and F-score are ill-defined and being set to 0.0 in labels with no predicted samples. Use `zero_division` parameter to control this behavior.',
      },
    ]);
  });

  it('computes accuracy, averages and the confusion matrix', () => {
    expect(accuracyScore(yTrue, yPred)).toBe(0.5);
    const m = classificationMetrics(yTrue, yPred, { labelNames: { '0': 'fake', '1': 'real', '2': 'satire' } });
    expect(m.names).toEqual(['fake', 'real', 'satire']);
    expect(m.count).toBe(6);
    expect(m.confusionMatrix).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [2, 0, 0],
    ]);
    expectClose([m.macro.precision, m.macro.recall], [(1 / 3 + 2 / 3) / 3, 1.5 / 3]);
    // Equal supports: weighted equals macro.
    expectClose([m.weighted.precision, m.weighted.recall, m.weighted.f1], [m.macro.precision, m.macro.recall, m.macro.f1]);
    expectClose([m.micro.precision, m.micro.recall, m.micro.f1], [0.5, 0.5, 0.5]);
    expect(m.perClass[2]).toEqual({ label: 2, name: 'satire', precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.warnings).toHaveLength(1);
  });

  it('gives 1.0 instead of 0.0 with zeroDivision 1, without a warning', () => {
    const scores = perClassScores(yTrue, yPred, { zeroDivision: 1 });
    expect(scores.precision[2]).toBe(1);
    expect(scores.recall[2]).toBe(0);
    expect(scores.f1[2]).toBe(0);
    expect(scores.warnings).toEqual([]);
  });

  it('handles a class absent from y_true (recall ill-defined, support 0, zero weight)', () => {
    const t = [0, 0, 1, 1];
    const p = [0, 2, 1, 1];
    const scores = perClassScores(t, p);
    expect(scores.labels).toEqual([0, 1, 2]);
    expect(scores.support).toEqual([2, 2, 0]);
    expect(scores.precision).toEqual([1, 1, 0]);
    expect(scores.recall).toEqual([0.5, 1, 0]);
    expect(scores.warnings.map((w) => [w.metric, w.labels])).toEqual([['recall', [2]]]);
    const weighted = averagedScores(t, p, 'weighted');
    expect(weighted.precision).toBe(1);
    expect(weighted.recall).toBe(0.75);
    const macro = averagedScores(t, p, 'macro');
    expect(macro.precision).toBeCloseTo(2 / 3, 15);
    expect(confusionMatrix(t, p)).toEqual([
      [1, 0, 1],
      [0, 2, 0],
      [0, 0, 0],
    ]);
  });

  it('returns scikit-learn fixed values when no sample has any of the given labels', () => {
    expect(averagedScores([0, 0], [0, 1], 'weighted', { labels: [1] })).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(averagedScores([0, 0], [0, 0], 'weighted', { labels: [1], zeroDivision: 1 })).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });

  it('drops samples outside the given labels from the confusion matrix', () => {
    expect(confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], [2, 1])).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });

  it('rejects mismatched, empty or non-integer input with a clear error', () => {
    expect(() => accuracyScore([0, 1], [0])).toThrow(new FndError('metrics: y_true has 2 labels but y_pred has 1'));
    expect(() => accuracyScore([], [])).toThrow(/no samples/);
    expect(() => perClassScores([0, 0.5], [0, 1])).toThrow('metrics: y_true[1] is 0.5, expected an integer class label');
    expect(() => classificationReport([0, 1], [0, 1], { labelNames: ['only-one'] })).toThrow(/2 labels \(0, 1\) but 1 label names/);
  });

  it('computes log loss as mean -log p(true), clipped and renormalised', () => {
    expect(logLoss([0, 1], [[0.8, 0.2], [0.4, 0.6]])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    // Rows are renormalised: [2, 2] is read as [0.5, 0.5].
    expect(logLoss([1], [[2, 2]])).toBeCloseTo(Math.log(2), 15);
    // A zero probability is clipped to machine epsilon instead of giving Infinity.
    expect(logLoss([1, 0], [[1, 0], [1, 0]])).toBeCloseTo(-Math.log(Number.EPSILON) / 2, 10);
    expect(() => logLoss([0], [[1, 0, 0]], { labels: [0, 1] })).toThrow(/2 classes \(0, 1\) but 3 probability columns/);
    expect(() => logLoss([5], [[0.5, 0.5]])).toThrow(/y_true\[0\] = 5 is not one of the classes 0, 1/);
  });
});

describe('formatFixed (Python format rounding)', () => {
  it('rounds exact ties to even and everything else to nearest', () => {
    expect(formatFixed(0.625, 2)).toBe('0.62');
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(0.875, 2)).toBe('0.88');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    // 0.005 is stored slightly above 0.005, 1.005 slightly below: not ties.
    expect(formatFixed(0.005, 2)).toBe('0.01');
    expect(formatFixed(1.005, 2)).toBe('1.00');
    expect(formatFixed(2 / 3, 4)).toBe('0.6667');
    expect(formatFixed(1, 2)).toBe('1.00');
    expect(formatFixed(0, 3)).toBe('0.000');
    expect(formatFixed(-0.125, 2)).toBe('-0.12');
    expect(formatFixed(1234.5678, 1)).toBe('1234.6');
    expect(formatFixed(1e-300, 2)).toBe('0.00');
  });
});

describe(`scikit-learn ${oracle.sklearn} oracle`, () => {
  it('has the cases make.py writes', () => {
    expect(oracle.cases.map((c) => c.name)).toEqual([
      'binary-fake-real',
      'never-predicted',
      'absent-from-true',
      'labels-superset',
      'labels-subset',
      'rounding-ties',
      'zero-division-one',
      'perfect',
      'four-class',
    ]);
  });

  for (const c of oracle.cases) {
    describe(c.name, () => {
      const options = { labels: c.labels, zeroDivision: c.zero_division };

      it('matches precision_recall_fscore_support per class and its warnings', () => {
        const scores = perClassScores(c.y_true, c.y_pred, options);
        expectClose(scores.precision, c.per_class.precision);
        expectClose(scores.recall, c.per_class.recall);
        expectClose(scores.f1, c.per_class.f1);
        expect(scores.support).toEqual(c.per_class.support);
        expect(scores.warnings.map((w) => w.message).sort()).toEqual(c.warnings);
      });

      it('matches the micro, macro and weighted averages, accuracy and confusion matrix', () => {
        for (const average of ['micro', 'macro', 'weighted'] as const) {
          const got = averagedScores(c.y_true, c.y_pred, average, options);
          expectClose([got.precision, got.recall, got.f1], [c[average].precision, c[average].recall, c[average].f1]);
        }
        expect(Math.abs(accuracyScore(c.y_true, c.y_pred) - c.accuracy)).toBeLessThanOrEqual(1e-12);
        expect(confusionMatrix(c.y_true, c.y_pred, c.labels)).toEqual(c.confusion_matrix);
        const all = classificationMetrics(c.y_true, c.y_pred, { ...options, labelNames: c.target_names });
        expect(all.confusionMatrix).toEqual(c.confusion_matrix);
        expectClose([all.weighted.f1, all.macro.f1, all.accuracy], [c.weighted.f1, c.macro.f1, c.accuracy]);
      });

      it('prints classification_report exactly', () => {
        const report = classificationReport(c.y_true, c.y_pred, { ...options, labelNames: c.target_names, digits: c.digits });
        expect(report).toBe(c.report);
      });

      if (c.probabilities !== undefined && c.log_loss !== undefined) {
        it('matches log_loss', () => {
          expect(Math.abs(logLoss(c.y_true, c.probabilities!) - c.log_loss!)).toBeLessThanOrEqual(1e-12);
        });
      }
    });
  }
});
