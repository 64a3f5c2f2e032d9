import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { canonicalJson, sha256 } from './canonical.js';
import { hashSourceTree } from './files.js';
import { prebuiltCodeHash, rememberCodeHash } from './prebuilt-code-hashes.js';

// `import x from './a.js'`, `export * from '../b.js'`, `import('./c.js')`: relative specifiers only.
const IMPORT_PATTERN = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
// The same forms with a package specifier (`@scope/name/sub` or `name/sub`), captured up to the package name.
const PACKAGE_PATTERN = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]((?:@[\w.-]+\/)?[\w.-]+)(?:\/[^'"]*)?['"]/g;
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.tsx', '.js', '.mjs'];

/** `./x.js` written in TypeScript resolves to `./x.ts`, as tsx and tsc resolve it. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const stem = SOURCE_EXTENSIONS.includes(extname(base)) ? base.slice(0, -extname(base).length) : base;
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => stem + ext), ...SOURCE_EXTENSIONS.map((ext) => join(base, `index${ext}`))];
  return candidates.find((candidate) => existsSync(candidate) && !candidate.endsWith('/'));
}

/** Every local source file reachable from `entry` through relative imports (packages are not followed). */
export function localModuleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!SOURCE_EXTENSIONS.includes(extname(file))) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const target = resolveSpecifier(file, match[1]!);
      if (target && !target.includes(`${'/'}node_modules${'/'}`)) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** The packages (bare specifiers; `node:` builtins never match) the local module graph of `entry` imports, sorted. */
export function packageImports(entry: string): string[] {
  const names = new Set<string>();
  for (const file of localModuleGraph(entry)) {
    if (!SOURCE_EXTENSIONS.includes(extname(file))) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(PACKAGE_PATTERN)) if (!match[1]!.startsWith('.')) names.add(match[1]!);
  }
  return [...names].sort();
}

/**
 * The code part of a stage's signature: its plugin folder plus every local module the plugin
 * imports, transitively — so editing `src/text/csv.ts` reruns load-csv, but editing an
 * unrelated module reruns nothing.
 */
export async function hashPluginCode(pluginDir: string, entry: string): Promise<string> {
  // Built-in stages of a built fnd: remembered with their files' size and mtime (a stat cache).
  const remembered = prebuiltCodeHash(pluginDir);
  if (remembered) return remembered;
  const folder = await hashSourceTree(pluginDir);
  const root = dirname(pluginDir);
  const outsideFiles = localModuleGraph(entry).filter((file) => !file.startsWith(pluginDir + '/'));
  const outside = outsideFiles.map((file) => ({ path: relative(root, file), sha256: sha256(readFileSync(file)) }));
  const hash = sha256(canonicalJson({ folder: folder.hash, imports: outside }));
  rememberCodeHash(pluginDir, hash, [...folder.files.map((file) => join(pluginDir, file.path)), ...outsideFiles]);
  return hash;
}
