/**
 * Every package the built code imports is declared in package.json (dependencies, or
 * optionalDependencies for the ones loaded inside a try), so an install of fnd alone has them:
 * esbuild arriving through tsx, as it once did, would fail here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return /\.(c|m)?js$/.test(entry.name) ? [path] : [];
  });
}

/** `import ... from 'x'`, `export ... from 'x'`, `import('x')`, `require('x')`, `require.resolve('x/...')`, createRequire lookups. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire(?:\.resolve)?\(\s*|\bloadable\(\s*|\bisInstalled\(\s*)['"]([^'"./][^'"]*)['"]/g;

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('declared dependencies', () => {
  it('cover every package imported by dist/ and bin/', () => {
    const builtins = new Set(builtinModules);
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const used = new Map<string, string>();
    for (const file of [...jsFiles(join(root, 'dist')), join(root, 'bin', 'fnd.mjs')]) {
      for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
        const name = packageName(match[1]!);
        if (name.startsWith('node:') || builtins.has(name) || name === 'fnd') continue;
        if (!used.has(name)) used.set(name, file.slice(root.length));
      }
    }
    // bin/fnd.mjs imports tsx only for FND_FROM_SOURCE=1 (working on fnd from a checkout, where devDependencies are installed).
    used.delete('tsx');
    const undeclared = [...used].filter(([name]) => !declared.has(name)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(undeclared).toEqual([]);
    expect(used.has('esbuild')).toBe(true);
    expect(used.has('@huggingface/hub')).toBe(true);
  });
});
