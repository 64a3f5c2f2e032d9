#!/usr/bin/env node
/**
 * `npm run build` (also `prepare`, so installing from a git checkout or a folder builds):
 *
 * 1. tsc -p tsconfig.build.json: src/ and the built-in stages/ to dist/ (ES modules, .d.ts,
 *    source maps with the sources inlined);
 * 2. copies the non-TypeScript files of stages/ (schema.json, templates) beside their modules;
 * 3. precompiles the ajv validators of the pipeline schema and of every built-in stage's params
 *    into dist/validators/<kind>.cjs (see src/spec/validators.ts), so a cached re-run compiles none;
 * 4. hashes the code of every built-in stage into dist/stage-code-hashes.json (see
 *    src/hash/prebuilt-code-hashes.ts), so a cached re-run reads none of it.
 *    (npm pack leaves that file out: an install's files get new mtimes, so the first run there
 *    computes and remembers the hashes.)
 *
 *   node scripts/build.mjs [--if-stale]   (--if-stale: nothing to do when dist/ is newer than every source)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

function step(what, fn) {
  const start = Date.now();
  fn();
  process.stdout.write(`build: ${what} (${((Date.now() - start) / 1000).toFixed(1)} s)\n`);
}

function compile() {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc');
  } catch {
    throw new Error('typescript is not installed (a development dependency of fnd): run `npm install` in the fnd folder first');
  }
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
}

function copyStageAssets() {
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return /\.[cm]?tsx?$/.test(entry.name) ? [] : [path];
    });
  for (const file of walk(join(root, 'stages'))) {
    const target = join(dist, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}

async function precompileValidators() {
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  const { Ajv } = await import('ajv');
  const load = (path) => import(pathToFileURL(join(dist, path)).href);
  const { AJV_OPTIONS, schemaToCompile, validatorKey, precompiledFile } = await load('src/spec/validators.js');
  const { pipelineSchema } = await load('src/spec/pipeline-schema.js');
  const schemas = { document: [pipelineSchema], params: [] };
  for (const name of readdirSync(join(dist, 'stages')).sort()) {
    const stage = (await load(`stages/${name}/index.js`)).default;
    if (stage?.params) schemas.params.push(stage.params);
  }
  for (const [kind, list] of Object.entries(schemas)) {
    const ajv = new Ajv({ ...AJV_OPTIONS[kind], code: { source: true } });
    const refs = {};
    for (const schema of list) {
      const key = validatorKey(kind, schema);
      if (key in refs) continue;
      const compiled = { ...schemaToCompile(kind, schema) };
      delete compiled.$id; // filed under its key: the same schema under two ids would clash
      ajv.addSchema(compiled, key);
      refs[key] = key;
    }
    const file = precompiledFile(kind);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, standaloneCode(ajv, refs));
    renameSync(`${file}.tmp`, file);
    process.stdout.write(`build: ${Object.keys(refs).length} ${kind} validator(s) precompiled into ${relative(root, file)}\n`);
  }
}

/** The code hash of every built-in stage, remembered with its files' state (see src/hash/prebuilt-code-hashes.ts). */
async function prehashStages() {
  const { hashPluginCode } = await import(pathToFileURL(join(dist, 'src/hash/module-graph.js')).href);
  const { PREBUILT_CODE_HASHES_FILE } = await import(pathToFileURL(join(dist, 'src/hash/prebuilt-code-hashes.js')).href);
  const names = readdirSync(join(dist, 'stages')).sort();
  for (const name of names) await hashPluginCode(join(dist, 'stages', name), join(dist, 'stages', name, 'index.js'));
  process.stdout.write(`build: code hashes of ${names.length} built-in stages in ${relative(root, PREBUILT_CODE_HASHES_FILE)}\n`);
}

function newestSource(dir) {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
  }));
}

/** Whether dist/ was completely built after the last change to anything it is built from. */
function upToDate() {
  const stamp = join(dist, '.build-stamp');
  if (!existsSync(stamp)) return false;
  const inputs = ['src', 'stages', 'schemas'].map((dir) => newestSource(join(root, dir)));
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs']) inputs.push(statSync(join(root, file)).mtimeMs);
  return statSync(stamp).mtimeMs >= Math.max(...inputs);
}

try {
  if (process.argv.includes('--if-stale') && upToDate()) {
    process.stdout.write('build: dist/ is up to date\n');
    process.exit(0);
  }
  rmSync(join(dist, '.build-stamp'), { force: true });
  rmSync(join(dist, 'stage-code-hashes.json'), { force: true });
  rmSync(join(dist, 'validators'), { recursive: true, force: true });
  step('tsc -p tsconfig.build.json', compile);
  step('stage assets copied', copyStageAssets);
  await precompileValidators();
  await prehashStages();
  // Written last: its time says when dist/ was last completely built (test/global-setup.ts reads it).
  writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
} catch (error) {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
