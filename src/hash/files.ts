import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { FndError } from '../util/errors.js';
import { canonicalJson, sha256 } from './canonical.js';
import { walkFiles, type WalkOptions } from './walk.js';

export interface HashedFile {
  /** Relative to the hashed directory, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
}

export interface DirectoryHash {
  /** sha256 over the sorted list of (path, size, sha256): renaming, adding or editing any file changes it. */
  hash: string;
  files: HashedFile[];
}

/** sha256 of a file's bytes, read as a stream so large weight files never sit in memory whole. */
export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path);
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'it does not exist' : error.message;
      reject(new FndError(`cannot hash ${path}: ${why}`, { cause: error }));
    });
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Content hash of an artifact directory. Symlinks are refused: an artifact that points outside
 * itself could change without its hash changing. Empty directories do not count (only files do).
 */
export async function hashDirectory(dir: string): Promise<DirectoryHash> {
  return hashWalked(dir, { symlinks: 'refuse' });
}

export interface SourceTreeOptions {
  /**
   * More names to leave out, besides node_modules, dotfiles and *.log: an entry equal to a file or
   * directory name leaves it out; an entry `*.ext` leaves out names ending in `.ext`.
   */
  exclude?: string[];
}

/**
 * Hash of a stage plugin's source folder, so editing a stage's code invalidates its cache entries.
 * Leaves out what is not source: node_modules, dotfiles and dot-directories, *.log. Symlinks are
 * followed (a project may link a shared helper into its stage folder).
 */
export async function hashSourceTree(dir: string, options: SourceTreeOptions = {}): Promise<DirectoryHash> {
  const patterns = ['node_modules', '*.log', ...(options.exclude ?? [])];
  const excluded = (name: string): boolean =>
    name.startsWith('.') ||
    patterns.some((pattern) => (pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) : name === pattern));
  return hashWalked(dir, { symlinks: 'follow', include: (_relative, name) => !excluded(name) });
}

async function hashWalked(dir: string, options: WalkOptions): Promise<DirectoryHash> {
  const walked = await walkFiles(dir, options);
  const files: HashedFile[] = [];
  // Sequential on purpose: parallel reads of many files thrash a spinning disk and gain little on 2 cores.
  for (const file of walked) {
    files.push({ path: file.path, size: file.size, sha256: await hashFile(file.absolute) });
  }
  return { hash: sha256(canonicalJson(files)), files };
}
