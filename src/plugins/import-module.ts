/**
 * Imports a stage plugin's module.
 *
 * Built-in stages are JavaScript in dist/ (or TypeScript under a TypeScript loader, when fnd runs
 * from its sources), so a plain import does. A project's own `stages/<name>/index.ts` needs no
 * build step: when fnd runs as built JavaScript, the plugin is compiled on the fly with esbuild
 * (a declared dependency), bundling its local modules and leaving packages as imports:
 *
 * - `fnd`, `fnd/sdk`, `fnd/artifacts` resolve to the very modules this process runs, so a
 *   plugin's `StageUserError` is the class the engine checks for;
 * - other packages resolve from the plugin's folder (the project's node_modules), to absolute
 *   file URLs, so the compiled file can live in a temporary folder;
 * - `import.meta.url` keeps meaning the plugin's own source file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleExtension, packageRoot, runningFromSource } from '../util/package-root.js';

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** The public entries of fnd (package.json `exports`), as the files this process runs. */
function fndEntries(): Record<string, string> {
  const base = runningFromSource ? join(packageRoot, 'src') : join(packageRoot, 'dist', 'src');
  return {
    fnd: join(base, `index${moduleExtension}`),
    'fnd/sdk': join(base, 'sdk', `index${moduleExtension}`),
    'fnd/artifacts': join(base, 'artifacts', `index${moduleExtension}`),
  };
}

export async function importModule(entry: string): Promise<unknown> {
  if (runningFromSource || !TYPESCRIPT.test(entry)) return import(pathToFileURL(entry).href);
  return import(pathToFileURL(await compileTypeScriptModule(entry)).href);
}

/** Compiles a TypeScript plugin to one ES module file (named by its content) and returns its path. */
export async function compileTypeScriptModule(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const fnd = fndEntries();
  const result = await esbuild.build({
    absWorkingDir: dirname(entry),
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    sourcemap: 'inline',
    plugins: [
      {
        name: 'fnd-project-plugin',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === 'fnd-resolving' || args.path.startsWith('node:')) return undefined;
            const own = fnd[args.path];
            if (own) return { path: pathToFileURL(own).href, external: true };
            const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'fnd-resolving' });
            if (found.errors.length > 0 || !found.path || found.external) return undefined;
            return { path: pathToFileURL(found.path).href, external: true };
          });
          build.onLoad({ filter: TYPESCRIPT }, (args) => ({
            contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
            loader: args.path.endsWith('x') ? 'tsx' : 'ts',
          }));
        },
      },
    ],
  }).catch((error: unknown) => {
    throw new Error(describeBuildFailure(error, dirname(entry)), { cause: error });
  });
  const code = result.outputFiles?.[0]?.text ?? '';
  const dir = join(tmpdir(), `fnd-plugins-${process.getuid?.() ?? 'user'}`);
  const file = join(dir, `${createHash('sha256').update(entry).update('\0').update(code).digest('hex').slice(0, 24)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return file;
}

/** esbuild's first error as `FILE:LINE:COL: text` (its own message starts with "Build failed with N errors:"). */
function describeBuildFailure(error: unknown, dir: string): string {
  const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors?.[0];
  if (!first) return error instanceof Error ? error.message : String(error);
  const where = first.location ? `${resolve(dir, first.location.file)}:${first.location.line}:${first.location.column + 1}: ` : '';
  return `${where}${first.text}`;
}
