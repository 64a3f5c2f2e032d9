#!/usr/bin/env node
/**
 * Benchmark: a fully cached re-run of the demo pipeline through the installed `fnd` bin (built
 * dist/), whole process, node start-up included: what a user waits for after `fnd run` when
 * nothing changed. Target: median <= 0.4 s on the reference machine (2 cores).
 *
 *   npm run bench:cached-rerun [-- --runs 9] [-- --spec pipelines/demo.yaml]
 *
 * Also prints the CPU time (user + sys) of the re-runs, from /proc on Linux: on a machine shared
 * with other work the wall time grows with the load while the CPU time does not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TARGET_S = 0.4;
const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, spec: { type: 'string', default: 'pipelines/demo.yaml' } } });
const runs = Number(values.runs);
const bin = join(root, 'bin', 'fnd.mjs');
if (!existsSync(join(root, 'dist', 'src', 'cli', 'bin.js'))) {
  console.error('bench: fnd is not built; run `npm run build` first');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'fnd-bench-'));
const env = { ...process.env, CI: '1', FND_CACHE_DIR: join(scratch, 'cache'), FND_RUNS_DIR: join(scratch, 'runs') };

/** CPU seconds used by this process's finished children (Linux /proc; undefined elsewhere). */
function childrenCpuSeconds() {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 3; cutime and cstime are fields 16 and 17 (clock ticks, 100/s on Linux).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function fnd(...args) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`fnd ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

try {
  let start = performance.now();
  fnd('run', values.spec);
  const firstS = (performance.now() - start) / 1000;
  const wall = [];
  const cpuBefore = childrenCpuSeconds();
  for (let i = 0; i < runs; i++) {
    start = performance.now();
    const out = fnd('run', values.spec);
    wall.push((performance.now() - start) / 1000);
    if (/running —/.test(out)) throw new Error(`re-run ${i + 1} was not fully cached:\n${out}`);
  }
  const cpuAfter = childrenCpuSeconds();
  wall.sort((a, b) => a - b);
  const median = wall[Math.floor(wall.length / 2)];
  console.log(`spec: ${values.spec}`);
  console.log(`first run (computes every stage): ${firstS.toFixed(2)} s`);
  console.log(`fully cached re-run through bin/fnd.mjs, node start-up included, ${runs} runs: median ${median.toFixed(3)} s, min ${wall[0].toFixed(3)} s, max ${wall[wall.length - 1].toFixed(3)} s`);
  if (cpuBefore !== undefined && cpuAfter !== undefined) console.log(`CPU time (user + sys) per re-run: ${((cpuAfter - cpuBefore) / runs).toFixed(3)} s`);
  console.log(`target <= ${TARGET_S} s median: ${median <= TARGET_S ? 'met' : 'NOT met'} (${(median / TARGET_S).toFixed(2)}x the target)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
