/**
 * The flat shape classification metrics take in a run's metrics.json. The headline names
 * (`accuracy`, `precision`, `recall`, `f1`) are the weighted averages, as the notebook's
 * `compute_metrics` reports them, so `fnd diff` compares the numbers users know.
 */
import type { MetricValue } from '../sdk/index.js';
import type { ClassificationMetrics } from './classification.js';

export function classificationMetricsRecord(m: ClassificationMetrics): Record<string, MetricValue> {
  const perClass: Record<string, MetricValue> = {};
  for (const c of m.perClass) {
    perClass[c.name] = { label: c.label, precision: c.precision, recall: c.recall, f1: c.f1, support: c.support };
  }
  return {
    accuracy: m.accuracy,
    precision: m.weighted.precision,
    recall: m.weighted.recall,
    f1: m.weighted.f1,
    precision_macro: m.macro.precision,
    recall_macro: m.macro.recall,
    f1_macro: m.macro.f1,
    count: m.count,
    per_class: perClass,
    labels: m.names,
    confusion_matrix: m.confusionMatrix,
  };
}
