/**
 * The charts a run report embeds, as vega-lite specs rendered to SVG (see ./vega.ts).
 * Each function builds a spec from plain data and returns the SVG text; none touches the disk.
 */
import { FndError } from '../util/errors.js';
import { renderVegaLite, type VegaLiteSpec } from './vega.js';

/** Shared look: readable on GitHub's light theme, system fonts only (nothing to download). */
const CONFIG = {
  font: 'sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
  // Vega cuts legend labels at 160 px by default: sweep variants differ at their ends.
  legend: { labelLimit: 0, titleLimit: 0 },
} as const;

function finiteOrThrow(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FndError(`${what} is ${JSON.stringify(value) ?? String(value)}, expected a finite number`);
  }
  return value;
}

/**
 * Confusion-matrix heatmap: rows are true labels, columns predicted labels (scikit-learn's
 * layout, as in the notebook's seaborn plot), each cell showing its count.
 */
export async function confusionMatrixSvg(matrix: readonly (readonly number[])[], labelNames: readonly string[], title = 'Confusion matrix'): Promise<string> {
  if (matrix.length !== labelNames.length || matrix.some((row) => row.length !== labelNames.length)) {
    throw new FndError(`confusion matrix must be ${labelNames.length}×${labelNames.length} for labels ${labelNames.join(', ')}`);
  }
  const cells = matrix.flatMap((row, i) =>
    row.map((count, j) => ({
      true: labelNames[i]!,
      predicted: labelNames[j]!,
      count: finiteOrThrow(`confusion matrix cell [${i}][${j}]`, count),
    })),
  );
  const max = Math.max(0, ...cells.map((cell) => cell.count));
  const side = Math.max(120, 60 * labelNames.length);
  const x = { field: 'predicted', type: 'nominal', sort: [...labelNames], title: 'Predicted label', axis: { labelAngle: 0, orient: 'bottom' } } as const;
  const y = { field: 'true', type: 'nominal', sort: [...labelNames], title: 'True label' } as const;
  const spec: VegaLiteSpec = {
    title,
    width: side,
    height: side,
    config: CONFIG,
    data: { values: cells },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          x,
          y,
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domainMin: 0 }, title: 'Count' },
        },
      },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          x,
          y,
          text: { field: 'count', type: 'quantitative', format: 'd' },
          // Light text on the dark cells keeps every count readable.
          color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
  return renderVegaLite(spec);
}

export interface TrainingHistory {
  /** One entry per logged training step. */
  steps: ReadonlyArray<{ step: number; loss: number; lr?: number }>;
  /** One entry per evaluation (end of epoch), e.g. `{ epoch: 1, metrics: { accuracy: 0.97, f1: 0.97, loss: 0.08 } }`. */
  epochs: ReadonlyArray<{ epoch: number; metrics: Readonly<Record<string, number>> }>;
}

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 180;

interface PanelAxes {
  x: string;
  xTitle: string;
  y: string;
  yTitle: string;
  /** d3-format of the y labels, e.g. '.1~e' for learning rates. */
  yFormat?: string;
  /** Whole-number ticks on x (epochs). */
  xWhole?: boolean;
  series?: string;
}

function linePanel(title: string, values: Record<string, unknown>[], axes: PanelAxes): Record<string, unknown> {
  const { x, xTitle, y, yTitle, series } = axes;
  return {
    title,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { values },
    // Markers help on short series and clutter long ones.
    mark: { type: 'line', point: values.length <= 40 },
    encoding: {
      x: { field: x, type: 'quantitative', title: xTitle, ...(axes.xWhole ? { axis: { tickMinStep: 1, format: 'd' } } : {}) },
      y: { field: y, type: 'quantitative', title: yTitle, scale: { zero: false }, ...(axes.yFormat ? { axis: { format: axes.yFormat } } : {}) },
      ...(series ? { color: { field: series, type: 'nominal', title: 'Metric' } } : {}),
    },
  };
}

/**
 * Learning curves: training loss per logged step, the learning rate when logged, and the
 * validation metrics per epoch (losses apart from the [0, 1] scores, whose scale they would flatten).
 */
export async function learningCurvesSvg(history: TrainingHistory, title = 'Learning curves'): Promise<string> {
  const panels: Record<string, unknown>[] = [];
  const steps = history.steps.map((s, i) => ({
    step: finiteOrThrow(`steps[${i}].step`, s.step),
    loss: finiteOrThrow(`steps[${i}].loss (step ${s.step})`, s.loss),
    lr: s.lr === undefined ? undefined : finiteOrThrow(`steps[${i}].lr (step ${s.step})`, s.lr),
  }));
  if (steps.length > 0) {
    panels.push(linePanel('Training loss', steps.map(({ step, loss }) => ({ step, loss })), { x: 'step', xTitle: 'Step', y: 'loss', yTitle: 'Loss' }));
    const lrs = steps.filter((s) => s.lr !== undefined).map(({ step, lr }) => ({ step, lr }));
    if (lrs.length > 0) panels.push(linePanel('Learning rate', lrs, { x: 'step', xTitle: 'Step', y: 'lr', yTitle: 'Learning rate', yFormat: '.1~e' }));
  }
  const scores: Record<string, unknown>[] = [];
  const losses: Record<string, unknown>[] = [];
  history.epochs.forEach((e, i) => {
    const epoch = finiteOrThrow(`epochs[${i}].epoch`, e.epoch);
    for (const [metric, raw] of Object.entries(e.metrics)) {
      const value = finiteOrThrow(`epochs[${i}].metrics.${metric} (epoch ${epoch})`, raw);
      (/loss/i.test(metric) ? losses : scores).push({ epoch, metric, value });
    }
  });
  if (scores.length > 0) panels.push(linePanel('Validation metrics per epoch', scores, { x: 'epoch', xTitle: 'Epoch', y: 'value', yTitle: 'Score', xWhole: true, series: 'metric' }));
  if (losses.length > 0) panels.push(linePanel('Validation loss per epoch', losses, { x: 'epoch', xTitle: 'Epoch', y: 'value', yTitle: 'Loss', xWhole: true, series: 'metric' }));
  if (panels.length === 0) throw new FndError('learning curves: the history has no logged steps and no evaluations to plot');
  // Independent colour scales: the per-epoch panels each get their own legend.
  const spec = { title, config: CONFIG, vconcat: panels, resolve: { scale: { color: 'independent' } } } as unknown as VegaLiteSpec;
  return renderVegaLite(spec);
}

/** A point of a generic chart; `series` draws one line (or colour) per distinct value. */
export interface ChartPoint {
  x: number;
  y: number;
  series?: string;
}

export interface ChartOptions {
  title?: string;
  xTitle: string;
  yTitle: string;
  /** Log scale on x (learning rates, for example). */
  xLog?: boolean;
  /** Title of the series legend. */
  seriesTitle?: string;
  width?: number;
  height?: number;
}

function xyChart(mark: 'line' | 'point', points: readonly ChartPoint[], options: ChartOptions): VegaLiteSpec {
  if (points.length === 0) throw new FndError(`chart "${options.title ?? options.yTitle}": no points to plot`);
  const values = points.map((p, i) => ({
    x: finiteOrThrow(`chart point ${i} x`, p.x),
    y: finiteOrThrow(`chart point ${i} y`, p.y),
    ...(p.series === undefined ? {} : { series: p.series }),
  }));
  if (options.xLog && values.some((v) => v.x <= 0)) throw new FndError(`chart "${options.title ?? options.yTitle}": a log x axis needs x > 0`);
  const hasSeries = values.some((v) => 'series' in v);
  return {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? PANEL_WIDTH,
    height: options.height ?? PANEL_HEIGHT + 60,
    config: CONFIG,
    data: { values },
    mark: mark === 'line' ? { type: 'line', point: true } : { type: 'point', filled: true, size: 60 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle, scale: options.xLog ? { type: 'log' } : { zero: false } },
      y: { field: 'y', type: 'quantitative', title: options.yTitle, scale: { zero: false } },
      ...(hasSeries ? { color: { field: 'series', type: 'nominal', title: options.seriesTitle ?? 'Series' } } : {}),
    },
  } as VegaLiteSpec;
}

/** Lines of y against x, one per series, points sorted by x (e.g. test F1 against learning rate, one line per seed). */
export async function lineChartSvg(points: readonly ChartPoint[], options: ChartOptions): Promise<string> {
  return renderVegaLite(xyChart('line', points, options));
}

/** Points of y against x, coloured by series. */
export async function scatterSvg(points: readonly ChartPoint[], options: ChartOptions): Promise<string> {
  return renderVegaLite(xyChart('point', points, options));
}
