/** `fnd runs`: the recorded runs as a table, newest first, with what set them apart and their headline metrics. */
import { join, resolve } from 'node:path';
import { defineCommand, jsonOption, type CliIO, type CommandOption, type ParsedArgs } from '../command.js';
import { formatDuration, formatTimestamp, formatValue, MISSING } from '../../format/number.js';
import { textTable, type ColumnSpec } from '../../format/table.js';
import { truncate } from '../../format/text.js';
import { metricAt, pickKeyMetrics } from '../../runs/key-metrics.js';
import { hideRepeats, runLabel } from '../../runs/listing.js';
import type { RunRecord } from '../../runs/record.js';
import { displayDir, listRuns, readMetrics } from '../../runs/store.js';
import { findProjectDir } from '../../project/paths.js';
import { FndError } from '../../util/errors.js';

/** Shared by runs, show and diff (and later compare/report). */
export const runsDirOption: CommandOption = {
  name: 'runs-dir',
  type: 'string',
  valueName: 'DIR',
  description: 'where runs are recorded (default <project>/runs, or $FND_RUNS_DIR)',
};

/** Same precedence as `fnd run` (project/paths.ts): --runs-dir, $FND_RUNS_DIR, <project>/runs. */
export function runsDirFrom(args: ParsedArgs, io: CliIO): string {
  const value = args.options['runs-dir'];
  if (typeof value === 'string' && value !== '') return resolve(io.cwd, value);
  const fromEnv = io.env.FND_RUNS_DIR;
  if (fromEnv) return resolve(io.cwd, fromEnv);
  return join(findProjectDir(io.cwd), 'runs');
}

export function writeWarnings(io: CliIO, warnings: readonly string[]): void {
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
}

const DEFAULT_LIMIT = 20;
/** A label column wider than this is cut: overrides can be long paths. */
const LABEL_CHARS = 60;

function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new FndError(`--limit must be a whole number of runs, at least 1 (got "${text}")`, { exitCode: 2 });
  return Number(text);
}

/** `2 ran, 3 cached` (+ failed/skipped when there are any). */
export function stageCounts(record: RunRecord): string {
  const counts = { ran: 0, cached: 0, failed: 0, skipped: 0 };
  for (const stage of Object.values(record.stages)) counts[stage.status] = (counts[stage.status] ?? 0) + 1;
  const parts = [`${counts.ran} ran`, `${counts.cached} cached`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  return parts.join(', ');
}

export default defineCommand({
  name: 'runs',
  summary: 'list recorded runs, newest first, with their --set overrides, name and tags, and key metrics',
  options: [
    jsonOption,
    { name: 'all', type: 'boolean', description: 'also list repeats: fully cached re-runs and failed runs that were run again' },
    { name: 'limit', type: 'string', valueName: 'N', description: `show the newest N runs (default ${DEFAULT_LIMIT})` },
    runsDirOption,
  ],
  positionals: [],
  async run(args, io) {
    const limit = parseLimit(args.options.limit);
    const runsDir = runsDirFrom(args, io);
    const { runs: all, warnings } = await listRuns(runsDir, { cwd: io.cwd });
    writeWarnings(io, warnings);
    const { shown: runs, hidden } = args.options.all ? { shown: all, hidden: [] } : hideRepeats(all);
    const shown = runs.slice(0, limit);
    const loaded = await Promise.all(shown.map(async (record) => ({ record, metrics: await readMetrics(join(runsDir, record.id)) })));

    if (args.options.json) {
      io.stdout.write(`${JSON.stringify(loaded.map(({ record, metrics }) => ({ ...record, metrics })), null, 2)}\n`);
      return 0;
    }
    if (all.length === 0) {
      io.stdout.write(`no runs in ${displayDir(runsDir, io.cwd)} yet: \`fnd run SPEC\` records one\n`);
      return 0;
    }

    const keys = pickKeyMetrics(loaded.map(({ metrics }) => metrics));
    const columns: ColumnSpec[] = [
      'id',
      'spec',
      'set / name',
      'status',
      'started (UTC)',
      { header: 'duration', align: 'right' },
      'stages',
      ...keys.map((key) => ({ header: key, align: 'right' as const })),
    ];
    const rows = loaded.map(({ record, metrics }) => [
      record.id,
      record.specName,
      truncate(runLabel(record), LABEL_CHARS),
      record.status,
      formatTimestamp(record.startedAt),
      record.status === 'running' ? MISSING : formatDuration(record.durationMs),
      stageCounts(record),
      ...keys.map((key) => formatValue(metricAt(metrics, key))),
    ]);
    io.stdout.write(`${textTable(columns, rows)}\n`);
    if (runs.length > shown.length) io.stdout.write(`(newest ${shown.length} of ${runs.length} runs; --limit N shows more)\n`);
    if (hidden.length > 0) {
      io.stdout.write(`(${hidden.length} repeat${hidden.length === 1 ? '' : 's'} hidden: fully cached re-runs and failed runs run again; --all shows them)\n`);
    }
    return 0;
  },
});
