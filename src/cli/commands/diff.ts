/** `fnd diff RUN_A RUN_B`: params and metrics that changed side by side with deltas (everything with --all). */
import { defineCommand, jsonOption } from '../command.js';
import { formatDelta, formatDuration, formatNumber, formatTimestamp, formatValue, MISSING, valueCell } from '../../format/number.js';
import { truncate } from '../../format/text.js';
import { renderMarkdown, renderText, type Section } from '../format/sections.js';
import { diffRuns, type MetricDiff, type PredictionDiff, type RunDiff, type RunSummary } from '../../runs/diff.js';
import { loadRun } from '../../runs/store.js';
import { diffPredictions } from '../../compare/predictions.js';
import { FndError } from '../../util/errors.js';
import { runsDirFrom, runsDirOption } from './runs.js';

function summaryLine(label: string, run: RunSummary): string {
  const variant = run.variant ? ` [${run.variant}]` : '';
  const duration = run.status === 'running' ? MISSING : formatDuration(run.durationMs);
  return `${label}  ${run.id}  ${run.spec}${variant}  ${run.status}  ${formatTimestamp(run.startedAt)} UTC  ${duration}`;
}

function deltaCell(metric: MetricDiff): string {
  if (metric.delta !== null) return formatDelta(metric.delta);
  if (metric.change === 'only-a' || metric.change === 'only-b') return MISSING;
  return metric.change === 'different' ? 'changed' : '';
}

const EXCERPT_CHARS = 60;

/** Issue 6 fills `diff.predictions`; rendering it here keeps one place that draws a diff. */
function predictionSections(predictions: PredictionDiff[]): Section[] {
  return predictions.flatMap((p): Section[] => {
    const sections: Section[] = [
      {
        title: `Predictions (${p.split})`,
        lines: [
          `${p.paired} examples in both runs: ${p.rightToWrong} right → wrong, ${p.wrongToRight} wrong → right`,
          ...(p.unpaired ? [`not paired (left out of every count): ${p.unpaired.a} examples only in A, ${p.unpaired.b} only in B`] : []),
          ...(p.examples.length < p.rightToWrong + p.wrongToRight ? [`showing ${p.examples.length} of ${p.rightToWrong + p.wrongToRight} flips`] : []),
        ],
        table: {
          columns: ['example', 'excerpt', 'label', 'A', 'B'],
          rows: p.examples.map((e) => [
            e.id,
            truncate(e.excerpt, EXCERPT_CHARS),
            String(e.label),
            `${e.a.prediction} (${formatNumber(e.a.confidence)})`,
            `${e.b.prediction} (${formatNumber(e.b.confidence)})`,
          ]),
        },
      },
    ];
    if (p.bootstrap) {
      const { resamples, seed, level, intervals } = p.bootstrap;
      sections.push({
        title: `Paired bootstrap, B − A (${p.split}; ${resamples} resamples, seed ${seed})`,
        table: {
          columns: ['metric', { header: 'delta', align: 'right' }, `${formatNumber(level * 100)}% CI`],
          rows: intervals.map((ci) => [ci.metric, formatDelta(ci.delta), `[${formatDelta(ci.low)}, ${formatDelta(ci.high)}]`]),
        },
      });
    }
    return sections;
  });
}

export interface DiffView {
  /** Also the params, metrics and stages that are the same in both runs. */
  all?: boolean;
}

/** "3 unchanged metrics not shown (--all shows them)", or nothing when none were left out. */
function leftOut(count: number, noun: string): string[] {
  return count === 0 ? [] : [`${count} unchanged ${noun}${count === 1 ? '' : 's'} not shown (--all shows them)`];
}

export function diffSections(diff: RunDiff, view: DiffView = {}): Section[] {
  const all = view.all === true;
  const metrics = all ? diff.metrics : diff.metrics.filter((m) => m.change !== 'same');
  const stages = all ? diff.stages : diff.stages.filter((s) => !s.sameSignature || s.a !== s.b);
  const sameParams = diff.sameParams;
  const paramRows = diff.params.map((p) => [p.path, formatValue(p.a), formatValue(p.b)]);
  if (all) paramRows.push(...sameParams.map((p) => [p.path, formatValue(p.value), formatValue(p.value)]));
  return [
    { lines: [summaryLine('A', diff.a), summaryLine('B', diff.b)] },
    {
      title: all ? 'Params (those that differ first)' : 'Params that differ',
      table: { columns: ['param', 'A', 'B'], rows: paramRows },
      empty: 'none: the params are identical',
      ...(all ? {} : { after: leftOut(sameParams.length, 'param') }),
    },
    {
      title: all ? 'Metrics' : 'Metrics that changed',
      table: {
        columns: ['metric', { header: 'A', align: 'right' }, { header: 'B', align: 'right' }, { header: 'delta', align: 'right' }],
        rows: metrics.map((m) => [m.path, valueCell(m.a), valueCell(m.b), deltaCell(m)]),
      },
      empty: diff.metrics.length === 0 ? 'none recorded in either run' : 'none: every metric is the same',
      ...(all ? {} : { after: leftOut(diff.metrics.length - metrics.length, 'metric') }),
    },
    {
      title: all ? 'Stages' : 'Stages that differ',
      table: {
        columns: ['stage', 'A', 'B', 'signature'],
        rows: stages.map((s) => [s.stageId, s.a ?? MISSING, s.b ?? MISSING, s.sameSignature ? 'same' : 'differs']),
      },
      empty: diff.stages.length === 0 ? 'none recorded' : 'none: same signatures, same outcomes',
      ...(all ? {} : { after: leftOut(diff.stages.length - stages.length, 'stage') }),
    },
    ...predictionSections(diff.predictions ?? []),
    ...(diff.predictionsNote ? [{ lines: [diff.predictionsNote] }] : []),
  ];
}

function wholeNumber(value: unknown, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min) throw new FndError(`${flag} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${text}"`, { exitCode: 2 });
  return Number(text);
}

export default defineCommand({
  name: 'diff',
  summary: 'compare two runs: params that differ, metrics side by side with deltas, prediction flips and a paired bootstrap interval',
  options: [
    { name: 'all', type: 'boolean', description: 'also show the params, metrics and stages that are the same in both runs' },
    { name: 'md', type: 'boolean', description: 'Markdown tables (for pasting into notes and PRs)' },
    jsonOption,
    { name: 'bootstrap', type: 'string', valueName: 'N', description: 'resamples of the paired bootstrap over test predictions (default 1000)' },
    { name: 'bootstrap-seed', type: 'string', valueName: 'S', description: 'seed of the bootstrap resampling (default 0)' },
    runsDirOption,
  ],
  positionals: [
    { name: 'run_a', required: true },
    { name: 'run_b', required: true },
  ],
  async run(args, io) {
    if (args.options.md && args.options.json) throw new FndError('choose one of --md and --json', { exitCode: 2 });
    const refA = args.positionals.run_a;
    const refB = args.positionals.run_b;
    if (typeof refA !== 'string' || typeof refB !== 'string') throw new FndError('fnd diff needs two runs: fnd diff RUN_A RUN_B', { exitCode: 2 });
    const runsDir = runsDirFrom(args, io);
    const [a, b] = await Promise.all([loadRun(runsDir, refA, { cwd: io.cwd }), loadRun(runsDir, refB, { cwd: io.cwd })]);
    const diff = diffRuns(a, b);
    const bootstrap = {
      resamples: wholeNumber(args.options.bootstrap, '--bootstrap', 1000, 1),
      seed: wholeNumber(args.options['bootstrap-seed'], '--bootstrap-seed', 0, 0),
    };
    const compared = await diffPredictions(a, b, { bootstrap });
    if (compared.predictions) diff.predictions = compared.predictions;
    if (compared.note) diff.predictionsNote = compared.note;
    if (args.options.json) io.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
    else io.stdout.write((args.options.md ? renderMarkdown : renderText)(diffSections(diff, { all: args.options.all === true })));
    return 0;
  },
});
