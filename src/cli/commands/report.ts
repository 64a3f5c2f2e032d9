/** `fnd report RUN|SWEEP`: a self-contained HTML page (default runs/<id>/report.html). */
import { mkdir } from 'node:fs/promises';
import { naming, writeFileAtomic } from '../../util/fs/index.js';
import { dirname, join, relative, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { compareRuns } from '../../compare/table.js';
import { renderComparisonHtml, renderRunHtml, type ReportRun } from '../../report/html.js';
import { formatDuration, formatTimestamp } from '../../format/number.js';
import { runLabel } from '../../runs/listing.js';
import { loadRun } from '../../runs/store.js';
import { findSweep } from '../../sweep/record.js';
import { FndError } from '../../util/errors.js';
import { loadEntries } from './compare.js';
import { runsDirFrom, runsDirOption } from './runs.js';

export default defineCommand({
  name: 'report',
  summary: 'write a self-contained HTML report of a run or a sweep: comparison table, metric-vs-param charts, learning curves, confusion matrices',
  positionals: [{ name: 'ref', required: true }],
  options: [
    { name: 'out', type: 'string', valueName: 'FILE', description: 'where to write the page (default runs/<id>/report.html)' },
    { name: 'sort', type: 'string', valueName: 'METRIC', description: 'metric to sort and chart by, e.g. test.f1 (default: test F1, else test accuracy)' },
    runsDirOption,
  ],
  async run(args, io) {
    const ref = args.positionals.ref as string;
    const runsDir = runsDirFrom(args, io);
    const sort = typeof args.options.sort === 'string' ? { sort: args.options.sort } : {};
    const sweep = await findSweep(runsDir, ref, io.cwd);
    let html: string;
    let folder: string;
    if (sweep) {
      const { entries, notes } = await loadEntries(runsDir, [], sweep.record.id, io.cwd);
      if (entries.length === 0) throw new FndError(`sweep ${sweep.record.id} has no runs yet: nothing to report`, { exitCode: 2 });
      const comparison = compareRuns(entries, sort);
      const runs: ReportRun[] = entries.map((e) => ({ ...e, dir: join(runsDir, e.id) }));
      html = await renderComparisonHtml({
        title: `Sweep ${sweep.record.id}`,
        meta: [`spec ${sweep.record.spec}; ${sweep.record.variants.length} variants; status ${sweep.record.status}`, ...notes],
        comparison,
        runs,
      });
      folder = sweep.dir;
    } else {
      const run = await loadRun(runsDir, ref, { cwd: io.cwd });
      const label = runLabel(run.record);
      const meta = [`${run.record.spec} · ${run.record.status} · started ${formatTimestamp(run.record.startedAt)} UTC · ${formatDuration(run.record.durationMs)}`];
      if (label !== '') meta.push(label);
      html = await renderRunHtml({ id: run.id, record: run.record, metrics: run.metrics, dir: run.dir }, meta);
      folder = run.dir;
    }
    const out = typeof args.options.out === 'string' ? resolve(io.cwd, args.options.out) : join(folder, 'report.html');
    await naming(dirname(out), () => mkdir(dirname(out), { recursive: true }));
    await writeFileAtomic(out, html);
    io.stdout.write(`wrote ${relative(io.cwd, out) || out}\n`);
    return 0;
  },
});
