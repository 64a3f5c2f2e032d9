/** `fnd compare RUN... | --sweep ID`: one table for many runs, params that vary and chosen metrics. */
import { defineCommand, jsonOption, type CliIO, type ParsedArgs } from '../command.js';
import { formatNumber, formatValue, MISSING, valueCell } from '../../format/number.js';
import { renderMarkdown, renderText, type Section } from '../format/sections.js';
import type { Cell, ColumnSpec } from '../../format/table.js';
import { compareRuns, type Comparison } from '../../compare/table.js';
import { aggregateOverSeeds, type MetricSpread, type SeedSummary } from '../../compare/seeds.js';
import type { RunEntry } from '../../compare/keys.js';
import { loadRun } from '../../runs/store.js';
import { resolveSweep } from '../../sweep/record.js';
import { FndError } from '../../util/errors.js';
import { runsDirFrom, runsDirOption } from './runs.js';

export function meanStd(spread: MetricSpread): string {
  if (spread.values.length === 0) return MISSING;
  if (spread.values.length === 1) return `${formatNumber(spread.mean)} (n=1)`;
  return `${formatNumber(spread.mean)} ± ${formatNumber(spread.std)}`;
}

function sortLine(comparison: Comparison): string[] {
  if (!comparison.sort) return [];
  return [`sorted by ${comparison.sort.metric} (${comparison.sort.descending ? 'higher' : 'lower'} is better)`];
}

export function seedSections(seeds: SeedSummary): Section[] {
  const metricColumns = seeds.groups[0]?.metrics.map((m) => m.metric) ?? [];
  const columns: ColumnSpec[] = [
    ...seeds.groupParams,
    { header: 'n', align: 'right' },
    'seeds',
    ...metricColumns.flatMap((metric): ColumnSpec[] => [{ header: `${metric} mean ± std`, align: 'right' }, `${metric} per seed`]),
  ];
  const rows: Cell[][] = seeds.groups.map((group) => [
    ...seeds.groupParams.map((path) => formatValue(group.params[path])),
    { text: String(group.runIds.length), align: 'right' },
    group.seeds.map(formatValue).join(', '),
    ...group.metrics.flatMap((spread): Cell[] => [meanStd(spread), spread.values.map((v) => formatNumber(v)).join(', ')]),
  ]);
  const title = seeds.groupParams.length === 0 ? `Over seeds (${seeds.seedParams.join(', ')})` : `Over seeds (${seeds.seedParams.join(', ')}), grouped by ${seeds.groupParams.join(', ')}`;
  return [{ title, lines: ['mean ± sample standard deviation (n − 1) over the runs of each group'], table: { columns, rows } }];
}

export function comparisonSections(comparison: Comparison, options: { title?: string; extraLines?: string[] } = {}): Section[] {
  const hasVariant = comparison.rows.some((row) => row.entry.record.variant !== undefined);
  const columns: ColumnSpec[] = [
    'run',
    ...(hasVariant ? ['variant'] : []),
    'status',
    ...comparison.params,
    ...comparison.metrics.map((metric) => ({ header: metric, align: 'right' as const })),
  ];
  const rows: Cell[][] = comparison.rows.map((row) => [
    row.entry.id,
    ...(hasVariant ? [row.entry.record.variant ?? MISSING] : []),
    row.entry.record.status,
    ...comparison.params.map((path) => formatValue(row.params.get(path))),
    ...comparison.metrics.map((metric) => valueCell(row.metrics.get(metric))),
  ]);
  const lines = [
    ...(options.extraLines ?? []),
    ...sortLine(comparison),
    ...(comparison.filteredOut > 0 ? [`${comparison.filteredOut} run${comparison.filteredOut === 1 ? '' : 's'} left out by --filter`] : []),
  ];
  const seeds = aggregateOverSeeds(comparison);
  return [
    { ...(options.title ? { title: options.title } : {}), lines, table: { columns, rows }, empty: 'no runs match' },
    ...(seeds ? seedSections(seeds) : []),
  ];
}

export function comparisonJson(comparison: Comparison): unknown {
  return {
    params: comparison.params,
    metrics: comparison.metrics,
    sort: comparison.sort ?? null,
    filteredOut: comparison.filteredOut,
    rows: comparison.rows.map((row) => ({
      id: row.entry.id,
      ...(row.entry.record.variant !== undefined ? { variant: row.entry.record.variant } : {}),
      status: row.entry.record.status,
      params: Object.fromEntries(comparison.params.map((path) => [path, row.params.get(path) ?? null])),
      metrics: Object.fromEntries(comparison.metrics.map((metric) => [metric, row.metrics.get(metric) ?? null])),
    })),
    seeds: aggregateOverSeeds(comparison) ?? null,
  };
}

/** The runs a compare or report names: explicit refs, and/or the runs of a sweep. Lines say what was left out. */
export async function loadEntries(runsDir: string, refs: readonly string[], sweepRef: string | undefined, cwd: string): Promise<{ entries: RunEntry[]; notes: string[] }> {
  const notes: string[] = [];
  const wanted: string[] = [...refs];
  if (sweepRef !== undefined) {
    const sweep = await resolveSweep(runsDir, sweepRef, cwd);
    const notRun = sweep.record.variants.filter((v) => v.runId === undefined).map((v) => v.name);
    if (notRun.length > 0) notes.push(`not run yet (${notRun.length}): ${notRun.join(', ')}`);
    wanted.push(...sweep.record.variants.flatMap((v) => (v.runId ? [v.runId] : [])));
  }
  const loaded = await Promise.all(wanted.map((ref) => loadRun(runsDir, ref, { cwd })));
  const seen = new Set<string>();
  const entries = loaded.filter((run) => !seen.has(run.id) && seen.add(run.id)).map((run) => ({ id: run.id, record: run.record, metrics: run.metrics }));
  return { entries, notes };
}

export function listOption(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items.length > 0 ? items : undefined;
}

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.options.md && args.options.json) throw new FndError('choose one of --md and --json', { exitCode: 2 });
  const refs = (args.positionals.runs as string[] | undefined) ?? [];
  const sweepRef = typeof args.options.sweep === 'string' ? args.options.sweep : undefined;
  if (refs.length === 0 && sweepRef === undefined) throw new FndError('fnd compare needs runs to compare: fnd compare RUN... or fnd compare --sweep ID', { exitCode: 2 });
  const runsDir = runsDirFrom(args, io);
  const { entries, notes } = await loadEntries(runsDir, refs, sweepRef, io.cwd);
  const comparison = compareRuns(entries, {
    ...(typeof args.options.sort === 'string' ? { sort: args.options.sort } : {}),
    ...(listOption(args.options.metrics) ? { metrics: listOption(args.options.metrics)! } : {}),
    filters: (args.options.filter as string[] | undefined) ?? [],
  });
  if (args.options.json) {
    io.stdout.write(`${JSON.stringify({ ...(comparisonJson(comparison) as object), notes }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write((args.options.md ? renderMarkdown : renderText)(comparisonSections(comparison, { extraLines: notes })));
  return 0;
}

export default defineCommand({
  name: 'compare',
  summary: 'one table for many runs (or the runs of a sweep): the params that vary and chosen metrics, sorted and filtered',
  positionals: [{ name: 'runs', variadic: true }],
  options: [
    { name: 'sweep', type: 'string', valueName: 'ID', description: 'compare the runs of this sweep (id or prefix)' },
    { name: 'sort', type: 'string', valueName: 'METRIC', description: 'sort by this metric, e.g. test.f1 or evaluate.test.f1 (default: test F1, else test accuracy)' },
    { name: 'filter', type: 'string[]', valueName: 'EXPR', description: "keep runs where KEY OP VALUE holds, e.g. 'train.learning_rate<5e-5' (OP: < <= > >= = !=)" },
    { name: 'metrics', type: 'string', valueName: 'A,B', description: 'metric columns, comma-separated (full paths or unique suffixes)' },
    { name: 'md', type: 'boolean', description: 'Markdown tables' },
    jsonOption,
    runsDirOption,
  ],
  run,
});
