/** `fnd show RUN`: one run's record — stages with timings, params, metrics and its files. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defineCommand, jsonOption } from '../command.js';
import { formatBytes, formatDuration, formatTimestamp, formatValue, MISSING, valueCell } from '../../format/number.js';
import { renderText, type Section } from '../format/sections.js';
import { keyValueLines } from '../../format/table.js';
import { flattenLeaves } from '../../runs/flatten.js';
import type { RunMetrics, RunRecord } from '../../runs/record.js';
import { loadRun } from '../../runs/store.js';
import { runsDirFrom, runsDirOption, stageCounts } from './runs.js';

export interface RunFile {
  /** Relative to the run folder; folders end with `/`. */
  path: string;
  bytes: number;
  /** For folders: how many files they hold, at any depth. */
  files?: number;
}

async function folderSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = await folderSize(path);
      bytes += inner.bytes;
      files += inner.files;
    } else {
      bytes += (await stat(path)).size;
      files++;
    }
  }
  return { bytes, files };
}

/** Top-level entries of the run folder; a folder (e.g. model/) is one line with its totals. */
export async function listRunFiles(runDir: string): Promise<RunFile[]> {
  const entries = (await readdir(runDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(
    entries.map(async (entry): Promise<RunFile> => {
      const path = join(runDir, entry.name);
      if (entry.isDirectory()) return { path: `${entry.name}/`, ...(await folderSize(path)) };
      return { path: entry.name, bytes: (await stat(path)).size };
    }),
  );
}

function environmentLine(record: RunRecord): string {
  const env = record.environment;
  if (!env) return MISSING;
  const parts = [`node ${env.node}`, `fnd ${env.fnd}`, `backend ${env.backend}`, env.platform];
  if (env.gitCommit) parts.push(`git ${env.gitCommit.slice(0, 12)}`);
  return parts.join(', ');
}

const SIGNATURE_CHARS = 12;

export function showSections(record: RunRecord, metrics: RunMetrics, files: RunFile[]): Section[] {
  const header: [string, string][] = [
    ['run', record.id],
    ['spec', `${record.spec} (${record.specName})`],
    ['status', record.status],
    ['started', `${formatTimestamp(record.startedAt)} UTC`],
    ['duration', record.status === 'running' ? `${MISSING} (still running)` : formatDuration(record.durationMs)],
    ['stages', stageCounts(record)],
    ['seed', String(record.seed)],
  ];
  if (record.name !== undefined) header.push(['name', record.name]);
  if (record.tags !== undefined && record.tags.length > 0) header.push(['tags', record.tags.join(', ')]);
  if (record.overrides !== undefined && record.overrides.length > 0) header.push(['overrides', record.overrides.map((o) => `--set ${o}`).join(' ')]);
  if (record.variant) header.push(['variant', record.variant]);
  if (record.sweep) header.push(['sweep', record.sweep]);
  header.push(['environment', environmentLine(record)]);
  if (record.error) header.push(['error', record.error]);

  return [
    { lines: keyValueLines(header).split('\n') },
    {
      title: 'Stages',
      table: {
        columns: ['stage', 'plugin', 'status', { header: 'duration', align: 'right' }, 'signature', 'note'],
        rows: Object.entries(record.stages).map(([id, stage]) => [
          id,
          stage.plugin,
          stage.status,
          formatDuration(stage.durationMs),
          stage.signature.slice(0, SIGNATURE_CHARS),
          stage.error ?? stage.reason ?? '',
        ]),
      },
      empty: 'no stages recorded',
    },
    {
      title: 'Params',
      table: { columns: ['param', 'value'], rows: flattenLeaves(record.params).map((leaf) => [leaf.path, formatValue(leaf.value)]) },
      empty: 'none',
    },
    {
      title: 'Metrics',
      table: {
        columns: ['metric', { header: 'value', align: 'right' }],
        rows: flattenLeaves(metrics).map((leaf) => [leaf.path, valueCell(leaf.value)]),
      },
      empty: 'none recorded',
    },
    {
      title: 'Files',
      table: {
        columns: ['file', { header: 'size', align: 'right' }],
        rows: files.map((file) => [file.path, file.files === undefined ? formatBytes(file.bytes) : `${formatBytes(file.bytes)} in ${file.files} files`]),
      },
      empty: 'none',
    },
  ];
}

export default defineCommand({
  name: 'show',
  summary: 'show one run (default: latest): stages with timings, params, metrics and files',
  options: [jsonOption, runsDirOption],
  positionals: [{ name: 'run' }],
  async run(args, io) {
    const ref = String(args.positionals.run ?? 'latest');
    const run = await loadRun(runsDirFrom(args, io), ref, { cwd: io.cwd });
    const files = await listRunFiles(run.dir);
    if (args.options.json) {
      io.stdout.write(`${JSON.stringify({ record: run.record, metrics: run.metrics, files }, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(renderText(showSections(run.record, run.metrics, files)));
    return 0;
  },
});
