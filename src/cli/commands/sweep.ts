/** `fnd sweep SPEC`: run every variant of the spec's matrix (plus --matrix), sharing upstream stages through the cache. */
import { join, relative, resolve } from 'node:path';
import { withInterrupts } from '../interrupt.js';
import { defineCommand, jsonOption, type CliIO, type ParsedArgs } from '../command.js';
import { renderText, type Section } from '../format/sections.js';
import type { Cell } from '../../format/table.js';
import { prepareOptionsFrom, specOptions } from '../shared-options.js';
import { compareRuns } from '../../compare/table.js';
import { prepareSweep, type PreparedSweep } from '../../sweep/prepare.js';
import { writeSweepFile, type SweepRecord } from '../../sweep/record.js';
import { variantReporter } from '../../sweep/reporter.js';
import { planPreparedSweep, runSweep, type VariantEvent } from '../../sweep/run.js';
import type { VariantPlan } from '../../sweep/plan.js';
import { FndError } from '../../util/errors.js';
import { comparisonJson, comparisonSections, loadEntries } from './compare.js';

const ACTION_TEXT = { restore: 'restore', run: 'run', shared: 'restore*' } as const;

function dryRunSections(sweep: PreparedSweep, plans: VariantPlan[]): Section[] {
  const stageIds = sweep.variants[0]?.prepared.pipeline.order ?? [];
  const rows: Cell[][] = plans.map((plan) => [
    plan.name,
    plan.completedRun ? `done (${plan.completedRun})` : 'to run',
    ...stageIds.map((id) => (plan.completedRun ? '—' : ACTION_TEXT[plan.stages.find((s) => s.stageId === id)?.action ?? 'run'])),
  ]);
  const toRun = plans.filter((p) => !p.completedRun);
  const stageRuns = toRun.reduce((n, p) => n + p.stages.filter((s) => s.action === 'run').length, 0);
  const reasons = toRun.flatMap((p) => p.stages.filter((s) => s.action === 'run').map((s) => [p.name, s.stageId, s.reason] as Cell[]));
  return [
    {
      title: `sweep ${sweep.id}: ${plans.length} variant${plans.length === 1 ? '' : 's'} of ${relative(process.cwd(), sweep.specFile) || sweep.specFile} (dry run: nothing is run)`,
      lines: [
        `${plans.length - toRun.length} already completed, ${toRun.length} to run; ${stageRuns} stage run${stageRuns === 1 ? '' : 's'} in all`,
        'restore = in the cache now; restore* = computed by an earlier variant of this sweep, then restored',
      ],
      table: { columns: ['variant', 'state', ...stageIds], rows },
    },
    { title: 'Stages that will run, and why', table: { columns: ['variant', 'stage', 'reason'], rows: reasons }, empty: 'none: everything is cached' },
  ];
}

function dryRunJson(sweep: PreparedSweep, plans: VariantPlan[]): unknown {
  return { id: sweep.id, variants: plans };
}

function parseJobs(value: unknown): number {
  if (value === undefined) return 1;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) throw new FndError(`--jobs must be a positive integer, got "${String(value)}"`, { exitCode: 2 });
  return jobs;
}

function variantLine(event: VariantEvent): string {
  if (event.type === 'skipped') return `= ${event.variant}: already completed in run ${event.runId}; skipped`;
  if (event.type === 'start') return `▶ variant ${event.variant}`;
  return `${event.status === 'completed' ? '✓' : '✗'} variant ${event.variant}: ${event.status} (run ${event.runId})`;
}

async function summarize(record: SweepRecord, dir: string, runsDir: string, args: ParsedArgs, io: CliIO, counts: { ran: number; skipped: number }): Promise<void> {
  const { entries, notes } = await loadEntries(runsDir, [], record.id, io.cwd);
  if (entries.length === 0) {
    io.stdout.write(args.options.json ? `${JSON.stringify({ type: 'sweep-end', sweep: record })}\n` : `sweep ${record.id}: no variant has run yet\n`);
    return;
  }
  const comparison = compareRuns(entries, typeof args.options.sort === 'string' ? { sort: args.options.sort } : {});
  if (comparison.sort) {
    record.sort = comparison.sort.metric;
    await writeSweepFile(dir, record);
  }
  if (args.options.json) {
    io.stdout.write(`${JSON.stringify({ type: 'sweep-end', sweep: record, summary: comparisonJson(comparison) })}\n`);
    return;
  }
  const head = [
    `${record.variants.length} variants: ${counts.ran} run now, ${counts.skipped} already completed; status ${record.status}`,
    `recorded in ${relative(io.cwd, join(dir, 'sweep.json'))}`,
    ...notes,
  ];
  io.stdout.write(`\n${renderText(comparisonSections(comparison, { title: `Sweep ${record.id}`, extraLines: head }))}`);
}

async function run(args: ParsedArgs, io: CliIO): Promise<number> {
  const spec = args.positionals.spec as string;
  const jobs = parseJobs(args.options.jobs);
  const prepareOptions = prepareOptionsFrom(args, io.env);
  // Every variant is loaded and validated here, before anything runs.
  const sweep = await prepareSweep(resolve(io.cwd, spec), { ...prepareOptions, matrix: (args.options.matrix as string[] | undefined) ?? [] });
  if (args.options['dry-run']) {
    const plans = await planPreparedSweep(sweep);
    io.stdout.write(args.options.json ? `${JSON.stringify(dryRunJson(sweep, plans), null, 2)}\n` : renderText(dryRunSections(sweep, plans)));
    return 0;
  }
  return withInterrupts(io, 'stopping the sweep (completed variants stay; run the sweep again to finish it)', async (signal) => {
    const json = Boolean(args.options.json);
    const outcome = await runSweep(sweep, {
      jobs,
      signal,
      specAsGiven: spec,
      reporterFor: (variant) => variantReporter(io.stdout, variant, { json, verbose: Boolean(args.options.verbose) }),
      onVariant: (event) => io.stdout.write(json ? `${JSON.stringify({ ...event, type: `variant-${event.type}` })}\n` : `${variantLine(event)}\n`),
    });
    await summarize(outcome.record, outcome.dir, sweep.paths.runsDir, args, io, { ran: outcome.ran.length, skipped: outcome.skipped.length });
    const status = outcome.record.status;
    if (status === 'failed') io.stderr.write(`error: ${outcome.record.variants.filter((v) => v.status === 'failed').length} variant(s) failed; see their runs\n`);
    return status === 'completed' ? 0 : status === 'interrupted' ? 130 : 1;
  });
}

export default defineCommand({
  name: 'sweep',
  summary:
    "Run every variant of a spec's matrix (and --matrix), -j N at a time, sharing upstream stages through the cache. Rerunning a sweep skips the variants already completed.",
  positionals: [{ name: 'spec', required: true }],
  options: [
    { name: 'matrix', type: 'string[]', valueName: 'PATH=V1,V2', description: 'sweep a value, e.g. stages.train.with.learning_rate=2e-5,5e-5 or seed=1,2,3' },
    ...specOptions,
    { name: 'jobs', short: 'j', type: 'string', valueName: 'N', description: 'run up to N variants at once (default 1)' },
    { name: 'dry-run', type: 'boolean', description: 'list the variants and, for each stage, whether it would run or be restored; run nothing' },
    { name: 'sort', type: 'string', valueName: 'METRIC', description: 'sort the summary by this metric, e.g. test.f1 (default: test F1, else test accuracy)' },
    jsonOption,
    { name: 'verbose', type: 'boolean', description: 'also print debug messages of stages' },
  ],
  run,
});
