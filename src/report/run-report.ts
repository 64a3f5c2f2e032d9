import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../cache/atomic.js';
import { renderRunReport } from './markdown.js';
import type { RunMetrics, RunRecord } from '../runs/record.js';

/** "confusion-test.svg" → "Confusion test": plots are titled from their file names. */
function titleOf(file: string): string {
  const words = file.replace(/\.svg$/, '').replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * `report.md` for every finished run: its metrics, the plots stages exported (SVG), the error
 * analysis when a stage exported one, the stages with timings and cache hits, the params.
 */
export async function writeRunReport(runDir: string, record: RunRecord, metrics: RunMetrics): Promise<void> {
  const files = (await readdir(runDir)).sort();
  const plots = files.filter((file) => file.endsWith('.svg')).map((file) => ({ title: titleOf(file), file }));
  const errorAnalysisMarkdown = files.includes('error-analysis.md') ? await readFile(join(runDir, 'error-analysis.md'), 'utf8') : undefined;
  // metrics.json holds what stages returned, which the SDK types as MetricValue.
  const stageMetrics = metrics as Parameters<typeof renderRunReport>[0]['metrics'];
  await writeFileAtomic(join(runDir, 'report.md'), renderRunReport({ record, metrics: stageMetrics, plots, errorAnalysisMarkdown }));
}
