/**
 * Benchmark: what the content-addressed cache costs on disk and in time.
 *
 *  1. Three runs of the demo pipeline (one that computes, two fully cached): bytes that `.fnd`
 *     and `runs/` hold on disk (each inode once) against their distinct content (each sha256
 *     once). Target: at most 1.15x.
 *  2. A fully cached re-run (node start-up included) of a pipeline whose model is ~165 MB
 *     against the same pipeline with a tiny model. Target: at most 1.3x.
 *
 *   node --import tsx bench/cache-dedup.ts [--spec pipelines/demo.yaml] [--repeats 3] [--model-mb 165]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { spec: { type: 'string', default: 'pipelines/demo.yaml' }, repeats: { type: 'string', default: '3' }, 'model-mb': { type: 'string', default: '165' } },
});
const repeats = Number(values.repeats);
const modelMb = Number(values['model-mb']);
const scratch = mkdtempSync(join(tmpdir(), 'fnd-bench-dedup-'));

function fnd(cwd: string, env: Record<string, string>, ...args: string[]): string {
  return execFileSync(process.execPath, [join(root, 'bin/fnd.mjs'), ...args], {
    cwd,
    env: { ...process.env, CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
}

/** Every regular file under the given folders: bytes on disk (each inode once) and distinct content (each sha256 once). */
function footprint(dirs: string[]): { disk: number; distinct: number; files: number } {
  const inodes = new Map<number, number>();
  const contents = new Map<string, number>();
  let files = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const info = lstatSync(path);
      if (info.isDirectory()) walk(path);
      else if (info.isFile()) {
        files++;
        inodes.set(info.ino, info.size);
        contents.set(createHash('sha256').update(readFileSync(path)).digest('hex'), info.size);
      }
    }
  };
  for (const dir of dirs) walk(dir);
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  return { disk: sum(inodes.values()), distinct: sum(contents.values()), files };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// 1. Three demo runs.
{
  const env = { FND_CACHE_DIR: join(scratch, 'demo', '.fnd'), FND_RUNS_DIR: join(scratch, 'demo', 'runs') };
  for (let i = 0; i < 3; i++) {
    const out = fnd(root, env, 'run', values.spec!);
    if (i > 0 && /running —/.test(out)) throw new Error(`demo run ${i + 1} was not fully cached:\n${out}`);
  }
  const { disk, distinct, files } = footprint([env.FND_CACHE_DIR, env.FND_RUNS_DIR]);
  const ratio = disk / distinct;
  console.log(`demo, 3 runs (1 computed, 2 cached): .fnd + runs hold ${mb(disk)} on disk in ${files} files; distinct content ${mb(distinct)}`);
  console.log(`  disk / distinct = ${ratio.toFixed(3)}x (target <= 1.15x): ${ratio <= 1.15 ? 'met' : 'NOT met'}`);
}

// 2. Fully cached re-run: a ~modelMb model against a tiny one.
const MODEL_STAGE = `
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'model', version: '1', description: 'writes a model of the given size, like train, and exports it, like save',
  params: { type: 'object', additionalProperties: false, properties: { bytes: { type: 'integer' } } },
  inputs: {}, outputs: { model: { kind: 'model' } },
  async run(ctx, _inputs, params) {
    // Deterministic, incompressible bytes: sha256 in counter mode.
    const data = Buffer.alloc(params.bytes);
    for (let offset = 0, i = 0; offset < data.length; offset += 32, i++) createHash('sha256').update(String(i)).digest().copy(data, offset);
    writeFileSync(join(ctx.outputDir('model'), 'model.safetensors'), data);
    writeFileSync(join(ctx.outputDir('model'), 'config.json'), '{}');
    mkdirSync(join(ctx.exportDir, 'model'), { recursive: true });
    writeFileSync(join(ctx.exportDir, 'model', 'model.safetensors'), data);
  },
};
`;

function cachedRerunMs(bytes: number): number {
  const project = join(scratch, `model-${bytes}`);
  mkdirSync(join(project, 'stages', 'model'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name":"bench","private":true,"type":"module"}\n');
  writeFileSync(join(project, 'stages', 'model', 'index.ts'), MODEL_STAGE);
  writeFileSync(join(project, 'pipeline.yaml'), `name: model\nstages:\n  model: { uses: model, with: { bytes: ${bytes} } }\n`);
  fnd(project, {}, 'run', 'pipeline.yaml');
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = fnd(project, {}, 'run', 'pipeline.yaml');
    times.push(performance.now() - start);
    if (/running —/.test(out)) throw new Error(`re-run was not fully cached:\n${out}`);
  }
  return median(times);
}

{
  const tiny = cachedRerunMs(1024);
  const big = cachedRerunMs(modelMb * 1_000_000);
  const ratio = big / tiny;
  console.log(`fully cached re-run, median of ${repeats}: tiny model ${tiny.toFixed(0)} ms; ${modelMb} MB model ${big.toFixed(0)} ms`);
  console.log(`  ${modelMb} MB / tiny = ${ratio.toFixed(2)}x (target <= 1.3x): ${ratio <= 1.3 ? 'met' : 'NOT met'}`);
}

rmSync(scratch, { recursive: true, force: true });
