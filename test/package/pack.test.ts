/**
 * fnd as a package, as a new user gets it: `npm pack`, the tarball installed into an empty
 * project, and there
 *   - a plain .mjs (no tsx) imports the library and runs a forward pass of a tiny model, whose
 *     logits equal those of the sources here;
 *   - a strict TypeScript consumer (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess,
 *     skipLibCheck: false) type-checks against the shipped .d.ts;
 *   - the installed `fnd` CLI runs a pipeline with a project stage plugin written in TypeScript;
 *   - `npm ls` is clean.
 * The install uses the npm cache first (--prefer-offline) and skips install scripts (no native
 * compilation here: the consumer's `fnd doctor` must then say the native kernels are missing and
 * how to build them).
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/nn/backend/index.js';
import { initModel } from '../../src/nn/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'fnd-pack-'));
const project = join(scratch, 'consumer');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a command (asynchronously: the test worker must keep answering vitest); a non-zero exit fails with its output. */
async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await execa(command, args, { cwd, env, reject: false, maxBuffer: 64 * 1024 * 1024 });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
  return String(result.stdout);
}

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const TINY = { vocabSize: 64, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 16, numLabels: 3 };
const IDS = [
  [2, 7, 9, 11, 3, 0],
  [2, 40, 41, 3, 0, 0],
];
const MASK = IDS.map((row) => row.map((id) => (id === 0 ? 0 : 1)));

let tarball = '';
beforeAll(async () => {
  // dist/ is fresh (test/global-setup.ts), so pack without running `prepare` again.
  const packed = JSON.parse(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], repoRoot)) as { filename: string; files: { path: string }[] }[];
  tarball = join(scratch, packed[0]!.filename);
  const files = packed[0]!.files.map((f) => f.path);
  expect(files).toContain('dist/src/index.js');
  expect(files).toContain('dist/src/index.d.ts');
  expect(files).toContain('dist/src/index.js.map');
  expect(files).toContain('dist/stages/train/index.js');
  expect(files).toContain('dist/validators/params.cjs');
  expect(files).toContain('native/fnd-kernels/binding.gyp');
  expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  write(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  // @types/node as a TypeScript consumer has it (the .d.ts name Node's types).
  await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball, '@types/node@20'], project);
}, 900_000);

describe('the packed tarball in an empty project', () => {
  it('installs with a clean `npm ls` (no file: or missing dependencies)', async () => {
    const tree = JSON.parse(await run('npm', ['ls', '--json', '--all'], project)) as { problems?: string[]; dependencies: Record<string, unknown> };
    expect(tree.problems ?? []).toEqual([]);
    expect(Object.keys(tree.dependencies).sort()).toEqual(['@types/node', 'fnd']);
  });

  it('imports from plain Node (.mjs, no tsx) and runs a forward pass equal to the sources, with no initBackend call', async () => {
    // A model folder as a user has one (config.json + model.safetensors), written from the sources.
    await initBackend({ env: {} });
    const saved = initModel(TINY, { seed: 5 });
    await saved.save(join(project, 'tiny-model'));
    saved.dispose();
    write(
      join(project, 'forward.mjs'),
      `import { loadModel, FndError } from 'fnd';
import { defineStage } from 'fnd/sdk';
import { writeTable } from 'fnd/artifacts';
// No initBackend(): loadModel starts the backend fnd would choose.
const model = await loadModel('tiny-model');
const out = model.forward({ inputIds: ${JSON.stringify(IDS)}, attentionMask: ${JSON.stringify(MASK)} });
const logits = Array.from(await out.logits.data());
process.stdout.write(JSON.stringify({ shape: out.logits.shape, logits, kinds: [typeof FndError, typeof defineStage, typeof writeTable] }));
`,
    );
    const result = JSON.parse(await run(process.execPath, ['forward.mjs'], project)) as { shape: number[]; logits: number[]; kinds: string[] };
    expect(result.kinds).toEqual(['function', 'function', 'function']);
    expect(result.shape).toEqual([2, 3]);
    const model = initModel(TINY, { seed: 5 });
    const here = model.forward({ inputIds: IDS, attentionMask: MASK });
    const expected = Array.from(await here.logits.data());
    here.logits.dispose();
    model.dispose();
    expect(result.logits.length).toBe(6);
    result.logits.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-5));
  });

  it('type-checks a strict TypeScript consumer against the shipped .d.ts (skipLibCheck: false)', async () => {
    write(
      join(project, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            noEmit: true,
            // TensorFlow.js's declarations name browser types (ImageData, WebGLTexture): they need the DOM lib.
            lib: ['ES2023', 'DOM'],
          },
          include: ['consumer.ts'],
        },
        null,
        2,
      ),
    );
    write(
      join(project, 'consumer.ts'),
      `import { initModel, loadSpec, FndError, type RunRecord } from 'fnd';
import { defineStage, StageUserError, type StageContext } from 'fnd/sdk';
import { readRows, writeTable, type Row } from 'fnd/artifacts';

const config: Parameters<typeof initModel>[0] = { hiddenSize: 16, numLabels: 2 };
export const model = initModel(config, { seed: 1 });
export const specLoader: typeof loadSpec = loadSpec;
export function status(record: RunRecord): string {
  return record.status;
}

interface Params { field: string; min_words: number }

export default defineStage<Params>({
  name: 'drop-short',
  version: '1',
  description: 'drops short texts',
  params: { type: 'object', properties: { field: { type: 'string', default: 'text' }, min_words: { type: 'integer', default: 3 } } },
  inputs: { table: { kind: 'table' } },
  outputs: { table: { kind: 'table' } },
  async run(ctx: StageContext, inputs, params) {
    const table = inputs.table;
    if (!table) throw new StageUserError('input "table" is not wired');
    async function* keep(): AsyncGenerator<Row> {
      for await (const row of readRows(table!.path)) {
        if (String(row[params.field] ?? '').split(' ').length >= params.min_words) yield row;
      }
    }
    await writeTable(ctx.outputDir('table'), keep());
    if (params.min_words < 0) throw new FndError('impossible');
    return { metrics: { kept: 1 } };
  },
});
`,
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await execa(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], { cwd: project, reject: false });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('runs the installed fnd CLI on a pipeline with a TypeScript project stage', async () => {
    write(join(project, 'data', 'texts.csv'), 'title,text\nA,one two three four\nB,one\nC,five six seven\nD,x y\n');
    write(
      join(project, 'stages', 'count-words', 'index.ts'),
      `import { defineStage, StageUserError } from 'fnd/sdk';
import { readRows } from 'fnd/artifacts';
import { words } from './words.js';

export default defineStage<{ field: string }>({
  name: 'count-words',
  version: '1',
  description: 'counts the words of a text column',
  params: { type: 'object', properties: { field: { type: 'string', default: 'text' } } },
  inputs: { table: { kind: 'table' } },
  outputs: {},
  async run(_ctx, inputs, params) {
    if (!inputs.table) throw new StageUserError('input "table" is not wired');
    let total: number = 0;
    for await (const row of readRows(inputs.table.path)) total += words(String(row[params.field] ?? ''));
    return { metrics: { words: total }, summary: \`\${total} words\` };
  },
});
`,
    );
    write(join(project, 'stages', 'count-words', 'words.ts'), `export const words = (text: string): number => text.split(/\\s+/).filter(Boolean).length;\n`);
    write(
      join(project, 'pipeline.yaml'),
      `name: words
stages:
  load:
    uses: load-csv
    with:
      files: [{ path: data/texts.csv, label: 0 }]
  count:
    uses: count-words
    inputs: { table: load }
`,
    );
    const fnd = join(project, 'node_modules', '.bin', 'fnd');
    const env = { CI: '1', FND_CACHE_DIR: join(project, '.fnd'), FND_RUNS_DIR: join(project, 'runs') };
    const first = await run(fnd, ['run', 'pipeline.yaml'], project, env);
    expect(first).toMatch(/count: done.* 10 words/);
    const again = await run(fnd, ['run', 'pipeline.yaml'], project, env);
    expect(again).toMatch(/count: cached/);
    const id = readdirSync(join(project, 'runs')).sort().at(-1)!;
    const metrics = JSON.parse(readFileSync(join(project, 'runs', id, 'metrics.json'), 'utf8'));
    expect(metrics.count.words).toBe(10);
    expect(metrics.load.rows).toBe(4);
  });

  it("says in the consumer's `fnd doctor` that the native kernels are missing and how to build them", async () => {
    const out = await run(join(project, 'node_modules', '.bin', 'fnd'), ['doctor'], project);
    expect(out).toContain(
      `native kernels: NOT LOADED: matrix products and training run on plain wasm, many times slower. native kernels not built (${join(project, 'node_modules', 'fnd', 'native', 'fnd-kernels', 'build', 'Release', 'fnd_kernels.node')} is missing`,
    );
    expect(out).toContain(`build them with \`node ${join(project, 'node_modules', 'fnd', 'scripts', 'build-native.mjs')}\``);
  });
});
