/**
 * Benchmark: wall time of a fully cached re-run of the demo pipeline, node start-up included
 * (what a user waits for after `fnd run` when nothing changed). Target: under 1 s.
 *
 *   node --import tsx bench/cached-rerun.ts [--runs 5] [--spec pipelines/demo.yaml]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, spec: { type: 'string', default: 'pipelines/demo.yaml' } } });
const runs = Number(values.runs);
const scratch = mkdtempSync(join(tmpdir(), 'fnd-bench-'));
const env = { ...process.env, CI: '1', FND_CACHE_DIR: join(scratch, 'cache'), FND_RUNS_DIR: join(scratch, 'runs') };
const fnd = (...args: string[]) => execFileSync(process.execPath, [join(root, 'bin/fnd.mjs'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

const firstStart = performance.now();
fnd('run', values.spec!);
const firstMs = performance.now() - firstStart;

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const out = fnd('run', values.spec!);
  times.push(performance.now() - start);
  if (/running —/.test(out)) throw new Error(`re-run ${i + 1} was not fully cached:\n${out}`);
}
rmSync(scratch, { recursive: true, force: true });
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(`spec: ${values.spec}`);
console.log(`first run (computes every stage): ${(firstMs / 1000).toFixed(2)} s`);
console.log(`fully cached re-run, wall time incl. node start-up, ${runs} runs: median ${(median / 1000).toFixed(3)} s, min ${(times[0]! / 1000).toFixed(3)} s, max ${(times[times.length - 1]! / 1000).toFixed(3)} s`);
console.log(`target < 1 s: ${median < 1000 ? 'met' : 'NOT met'}`);
