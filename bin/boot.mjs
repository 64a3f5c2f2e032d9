/**
 * Start-up for the fnd CLI: runs fnd's TypeScript without a per-run TypeScript loader.
 *
 * Registering tsx's loader costs ~250 ms and slows every module load after it, which alone
 * would blow the "cached re-run under 1 s" budget. Instead, the CLI and the built-in stages are
 * bundled once with esbuild (shared chunks, so each module exists once) into a cache keyed by
 * the sources' sizes and mtimes, and loaded as plain JavaScript. Editing a source file makes
 * the next start rebuild (~0.3 s). A project's own TypeScript stages are bundled the same way
 * on first use. `FND_NO_BUNDLE=1` runs the sources through tsx instead (for debugging).
 *
 * `import.meta.url` is rewritten to each source file's own URL, so code that locates files
 * relative to itself (stages/, package.json, workers) behaves as when run from source.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const SOURCE_DIRS = ['src', 'stages'];
const SOURCE_FILE = /\.(ts|mts|js|mjs|json)$/;

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (SOURCE_FILE.test(entry.name)) out.push(path);
  }
  return out;
}

/** Cheap fingerprint of the sources: paths, sizes and mtimes (no file reads). */
function sourceKey() {
  const hash = createHash('sha256');
  const files = SOURCE_DIRS.flatMap((dir) => walk(join(root, dir), [])).sort();
  files.push(join(root, 'package.json'), fileURLToPath(import.meta.url));
  for (const file of files) {
    const stat = statSync(file);
    hash.update(`${relative(root, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

function cacheRoot() {
  const preferred = join(root, 'node_modules', '.cache', 'fnd-build');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), `fnd-build-${process.getuid?.() ?? 'user'}`);
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

/** esbuild plugin: each module keeps its own import.meta.url (its source file). */
const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const contents = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

/** `import ... from 'fnd'`, `'fnd/sdk'`, `'fnd/artifacts'` in a project's stage resolve to this package's sources. */
const FND_SUBPATHS = { fnd: 'src/index.ts', 'fnd/sdk': 'src/sdk/index.ts', 'fnd/artifacts': 'src/artifacts/index.ts' };
const resolveFnd = {
  name: 'resolve-fnd',
  setup(build) {
    build.onResolve({ filter: /^fnd(\/[a-z]+)?$/ }, (args) =>
      FND_SUBPATHS[args.path] ? { path: join(root, FND_SUBPATHS[args.path]) } : undefined,
    );
  },
};

async function esbuild() {
  return (await import('esbuild')).default ?? (await import('esbuild'));
}

function builtinStageEntries() {
  const dir = join(root, 'stages');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name, 'index.ts'))
    .filter((entry) => existsSync(entry));
}

async function buildBundle(outDir) {
  const { build } = await esbuild();
  const staging = `${outDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src/cli/main.ts'), ...builtinStageEntries()],
    outdir: staging,
    outbase: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [keepImportMetaUrl, resolveFnd],
    logLevel: 'silent',
    // Keeps class and function names (errors are recognised by name across bundles).
    keepNames: true,
  });
  try {
    renameSync(staging, outDir);
  } catch (error) {
    // Another fnd process built the same key first: use theirs.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(outDir)) throw error;
  }
}

function pruneOldBuilds(dir, keep) {
  for (const name of readdirSync(dir)) {
    if (name === keep || name.includes('.tmp-')) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** A project's own stage plugin (not known when the CLI was bundled): bundled on first use, by content. */
async function bundleProjectModule(entry, cacheDir) {
  const { build } = await esbuild();
  const result = await build({
    absWorkingDir: dirname(entry),
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [resolveFnd, keepImportMetaUrl],
    logLevel: 'silent',
    keepNames: true,
    metafile: false,
  });
  const code = result.outputFiles[0].text;
  const file = join(cacheDir, 'project', `${createHash('sha256').update(entry).update(code).digest('hex').slice(0, 20)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  return import(pathToFileURL(file).href);
}

export async function boot(argv) {
  if (process.env.FND_NO_BUNDLE) {
    const { register } = await import('tsx/esm/api');
    register();
    const { main } = await import('../src/cli/main.ts');
    return main(argv);
  }
  const cacheDir = cacheRoot();
  const key = sourceKey();
  const outDir = join(cacheDir, key);
  if (!existsSync(join(outDir, 'src', 'cli', 'main.js'))) {
    await buildBundle(outDir);
    pruneOldBuilds(cacheDir, key);
  }
  const stagesDir = join(root, 'stages') + sep;
  // The plugin loader asks here for a module's code: built-in stages come from the bundle,
  // a project's TypeScript stages are bundled on demand, plain JavaScript is imported as is.
  globalThis.__fndImportModule = async (entry) => {
    if (entry.startsWith(stagesDir) && entry.endsWith('index.ts')) {
      const built = join(outDir, 'stages', relative(stagesDir, entry).replace(/\.ts$/, '.js'));
      if (existsSync(built)) return import(pathToFileURL(built).href);
    }
    if (/\.[cm]?ts$/.test(entry)) return bundleProjectModule(entry, cacheDir);
    return import(pathToFileURL(entry).href);
  };
  const { main } = await import(pathToFileURL(join(outDir, 'src', 'cli', 'main.js')).href);
  return main(argv);
}
