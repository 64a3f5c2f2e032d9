import { join } from 'node:path';
import { defineCommand, jsonOption } from '../command.js';
import { CacheStore } from '../../cache/store.js';
import { findProjectDir } from '../../project/paths.js';
import { listRuns } from '../../runs/store.js';
import { FndError } from '../../util/errors.js';
import { formatBytes } from '../../format/number.js';
import { textTable } from '../../format/table.js';

export default defineCommand({
  name: 'cache',
  summary:
    'Manage the cache. `fnd cache gc` lists the entries no recorded run references and removes them with --yes; `fnd cache ls` lists entries.',
  positionals: [{ name: 'action', required: true }],
  options: [
    { name: 'yes', short: 'y', type: 'boolean', description: 'gc: really remove (without it, only show what would be removed)' },
    { name: 'cache-dir', type: 'string', valueName: 'DIR', description: 'cache location (default <project>/.fnd, or $FND_CACHE_DIR)' },
    { name: 'runs-dir', type: 'string', valueName: 'DIR', description: 'recorded runs (default <project>/runs, or $FND_RUNS_DIR)' },
    jsonOption,
  ],
  async run(args, io) {
    const projectDir = findProjectDir(io.cwd);
    const cacheDir = (args.options['cache-dir'] as string | undefined) ?? io.env.FND_CACHE_DIR ?? join(projectDir, '.fnd');
    const runsDir = (args.options['runs-dir'] as string | undefined) ?? io.env.FND_RUNS_DIR ?? join(projectDir, 'runs');
    const store = new CacheStore(cacheDir);
    const action = args.positionals.action as string;
    if (action === 'ls') {
      const entries = await store.listEntries();
      if (args.options.json) io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      else io.stdout.write(`${textTable(['signature', 'stage', 'plugin', 'size', 'created'], entries.map((e) => [e.signature.slice(0, 12), e.stageId, e.plugin, formatBytes(e.bytes), e.createdAt]))}\n`);
      return 0;
    }
    if (action !== 'gc') throw new FndError(`unknown cache action "${action}": use "gc" or "ls"`, { exitCode: 2 });
    const { runs, warnings } = await listRuns(runsDir, { cwd: io.cwd });
    for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
    const referenced = new Set<string>();
    for (const run of runs) for (const stage of Object.values(run.stages)) if (stage.signature) referenced.add(stage.signature);
    const dryRun = !args.options.yes;
    const result = await store.gc(referenced, { dryRun });
    if (args.options.json) {
      io.stdout.write(`${JSON.stringify({ dryRun, ...result }, null, 2)}\n`);
      return 0;
    }
    if (result.removed.length === 0) {
      io.stdout.write(`nothing to remove: every cache entry is referenced by one of ${runs.length} runs\n`);
      return 0;
    }
    io.stdout.write(`${textTable(['signature', 'stage', 'size'], result.removed.map((r) => [r.signature.slice(0, 12), r.stageId, formatBytes(r.bytes)]))}\n`);
    for (const skipped of result.skipped) io.stdout.write(`kept ${skipped.signature.slice(0, 12)}: ${skipped.reason}\n`);
    io.stdout.write(
      dryRun
        ? `would remove ${result.removed.length} entries (${formatBytes(result.freedBytes)}); run "fnd cache gc --yes" to remove them\n`
        : `removed ${result.removed.length} entries (${formatBytes(result.freedBytes)})\n`,
    );
    return 0;
  },
});
