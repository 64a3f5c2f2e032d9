import { join, resolve } from 'node:path';
import { defineCommand, jsonOption } from '../command.js';
import { CacheStore } from '../../cache/store.js';
import { collectReferences } from '../../engine/cache-references.js';
import { findProjectDir } from '../../project/paths.js';
import { FndError } from '../../util/errors.js';
import { formatBytes } from '../../format/number.js';
import { textTable } from '../../format/table.js';

export default defineCommand({
  name: 'cache',
  summary:
    'Manage the cache. `fnd cache gc` lists what no recorded run (of any project sharing the cache) references and removes it with --yes; ' +
    '`fnd cache ls` lists entries; `fnd cache verify` re-hashes every stored file.',
  positionals: [{ name: 'action', required: true }],
  options: [
    { name: 'yes', short: 'y', type: 'boolean', description: 'gc: really remove (without it, only show what would be removed)' },
    { name: 'cache-dir', type: 'string', valueName: 'DIR', description: 'cache location (default <project>/.fnd, or $FND_CACHE_DIR)' },
    { name: 'runs-dir', type: 'string', valueName: 'DIR', description: 'recorded runs (default <project>/runs, or $FND_RUNS_DIR)' },
    jsonOption,
  ],
  async run(args, io) {
    const projectDir = findProjectDir(io.cwd);
    const cacheDir = resolve(io.cwd, (args.options['cache-dir'] as string | undefined) ?? io.env.FND_CACHE_DIR ?? join(projectDir, '.fnd'));
    const runsDir = resolve(io.cwd, (args.options['runs-dir'] as string | undefined) ?? io.env.FND_RUNS_DIR ?? join(projectDir, 'runs'));
    const store = new CacheStore(cacheDir);
    const action = args.positionals.action as string;
    if (action === 'ls') {
      const entries = await store.listEntries();
      if (args.options.json) io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      else io.stdout.write(`${textTable(['signature', 'stage', 'plugin', 'size', 'created'], entries.map((e) => [e.signature.slice(0, 12), e.stageId, e.plugin, formatBytes(e.bytes), e.createdAt]))}\n`);
      return 0;
    }
    if (action === 'verify') {
      const results = await store.verifyAll();
      const bad = results.filter((r) => !r.ok);
      if (args.options.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else {
        for (const r of bad) io.stdout.write(`corrupt ${r.signature.slice(0, 12)} (${r.stageId}): ${r.reason ?? 'vanished while checked'}; moved to quarantine\n`);
        io.stdout.write(`${results.length - bad.length} of ${results.length} entries verified (every file re-hashed)${bad.length > 0 ? `; ${bad.length} corrupt` : ''}\n`);
      }
      return bad.length > 0 ? 1 : 0;
    }
    if (action !== 'gc') throw new FndError(`unknown cache action "${action}": use "gc", "ls" or "verify"`, { exitCode: 2 });
    await store.cleanTmp();
    const references = await collectReferences(store, { projectDir, runsDir }, io.cwd);
    for (const warning of references.warnings) io.stderr.write(`warning: ${warning}\n`);
    const dryRun = !args.options.yes;
    const result = await store.gc(references.signatures, { dryRun });
    if (args.options.json) {
      io.stdout.write(`${JSON.stringify({ dryRun, projects: references.projects.map((p) => p.projectDir), ...result }, null, 2)}\n`);
      return 0;
    }
    const shared = references.projects.length > 1 ? ` of ${references.projects.length} projects sharing this cache` : '';
    for (const skipped of result.skipped) io.stdout.write(`kept ${skipped.signature.slice(0, 12)}: ${skipped.reason}\n`);
    if (result.removed.length === 0) {
      io.stdout.write(`nothing to remove: everything in the cache is referenced by one of ${references.runs} runs${shared}\n`);
      return 0;
    }
    io.stdout.write(`${textTable(['signature', 'stage', 'frees'], result.removed.map((r) => [r.signature.slice(0, 12), r.stageId, formatBytes(r.bytes)]))}\n`);
    const blobs = result.removed.filter((r) => r.stageId === '(blob)').length;
    const what = `${result.removed.length - blobs} entries and ${blobs} blobs (${formatBytes(result.freedBytes)})`;
    io.stdout.write(dryRun ? `would remove ${what}; run "fnd cache gc --yes" to remove them\n` : `removed ${what}\n`);
    return 0;
  },
});
