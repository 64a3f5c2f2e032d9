/** `fnd diff RUN_A RUN_B`: params that differ, every metric side by side with its delta. */
import { defineCommand, jsonOption } from '../command.js';
import { formatDelta, formatDuration, formatNumber, formatTimestamp, formatValue, MISSING, valueCell } from '../../format/number.js';
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

function excerpt(text: string): string {
  return text.length <= EXCERPT_CHARS ? text : `${text.slice(0, EXCERPT_CHARS - 1)}…`;
}

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
            excerpt(e.excerpt),
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

export function diffSections(diff: RunDiff): Section[] {
  return [
    { lines: [summaryLine('A', diff.a), summaryLine('B', diff.b)] },
    {
      title: 'Params that differ',
      table: { columns: ['param', 'A', 'B'], rows: diff.params.map((p) => [p.path, formatValue(p.a), formatValue(p.b)]) },
      empty: 'none: the params are identical',
    },
    {
      title: 'Metrics',
      table: {
        columns: ['metric', { header: 'A', align: 'right' }, { header: 'B', align: 'right' }, { header: 'delta', align: 'right' }],
        rows: diff.metrics.map((m) => [m.path, valueCell(m.a), valueCell(m.b), deltaCell(m)]),
      },
      empty: 'none recorded in either run',
    },
    {
      title: 'Stages',
      table: {
        columns: ['stage', 'A', 'B', 'signature'],
        rows: diff.stages.map((s) => [s.stageId, s.a ?? MISSING, s.b ?? MISSING, s.sameSignature ? 'same' : 'differs']),
      },
      empty: 'none recorded',
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
    else io.stdout.write((args.options.md ? renderMarkdown : renderText)(diffSections(diff)));
    return 0;
  },
});
