/**
 * Code hashes of the built-in stages of a built fnd, kept in dist/stage-code-hashes.json so a
 * cached re-run need not read and hash every module each built-in stage imports: a stat cache,
 * as DVC's state database. Each entry lists the files it covers with their size and mtime and is
 * used only while all of them still match. `npm run build` fills it; an install (whose files get
 * new mtimes) refreshes an entry the first time it is computed, where dist/ is writable.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { packageRoot } from '../util/package-root.js';

export interface PrebuiltCodeHash {
  hash: string;
  /** [path relative to the package, size, whole milliseconds of mtime] of every file the hash covers. */
  files: [string, number, number][];
}

export const PREBUILT_CODE_HASHES_FILE = join(packageRoot, 'dist', 'stage-code-hashes.json');
const BUILTIN_STAGES = join(packageRoot, 'dist', 'stages') + sep;

let table: Record<string, PrebuiltCodeHash> | undefined;

function load(): Record<string, PrebuiltCodeHash> {
  if (!table) {
    try {
      table = JSON.parse(readFileSync(PREBUILT_CODE_HASHES_FILE, 'utf8')) as Record<string, PrebuiltCodeHash>;
    } catch {
      table = {}; // not built yet, or running from the sources
    }
  }
  return table;
}

function fileState(path: string): [string, number, number] {
  const stat = statSync(path);
  return [relative(packageRoot, path), stat.size, Math.floor(stat.mtimeMs)];
}

function unchanged(file: [string, number, number]): boolean {
  try {
    const [, size, mtime] = fileState(join(packageRoot, file[0]));
    return size === file[1] && mtime === file[2];
  } catch {
    return false;
  }
}

/** The remembered code hash of the built-in plugin in `pluginDir`, when its files are as they were. */
export function prebuiltCodeHash(pluginDir: string): string | undefined {
  const entry = load()[relative(packageRoot, pluginDir)];
  return entry && entry.files.every(unchanged) ? entry.hash : undefined;
}

/** Records a built-in plugin's freshly computed code hash with the state of its files (best effort). */
export function rememberCodeHash(pluginDir: string, hash: string, files: string[]): void {
  if (!(pluginDir + sep).startsWith(BUILTIN_STAGES)) return;
  try {
    const entries = load();
    entries[relative(packageRoot, pluginDir)] = { hash, files: files.map(fileState) };
    const partial = `${PREBUILT_CODE_HASHES_FILE}.${process.pid}.tmp`;
    writeFileSync(partial, `${JSON.stringify(entries)}\n`);
    renameSync(partial, PREBUILT_CODE_HASHES_FILE);
  } catch {
    // A read-only install: the hash is computed on each run instead.
  }
}
