import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FndError } from '../util/errors.js';

export interface WalkedFile {
  /** Path relative to the walked root, with `/` separators on every platform. */
  path: string;
  absolute: string;
  size: number;
}

export interface WalkOptions {
  /** `refuse`: a symlink is an error (artifacts must be self-contained). `follow`: hash what it points to. */
  symlinks: 'refuse' | 'follow';
  /** Return false to leave a file or directory (and everything below it) out. */
  include?: (relativePath: string, name: string, isDirectory: boolean) => boolean;
}

/** Every regular file under `root`, sorted by relative path (UTF-16 code unit order, locale-independent). */
export async function walkFiles(root: string, options: WalkOptions): Promise<WalkedFile[]> {
  const rootStat = await stat(root).catch((error: NodeJS.ErrnoException) => {
    throw new FndError(`cannot read directory ${root}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`);
  });
  if (!rootStat.isDirectory()) throw new FndError(`${root} is not a directory`);
  const files: WalkedFile[] = [];
  // Real paths of directories being walked, so a symlink loop is reported instead of recursing forever.
  const visiting = new Set<string>([await realpath(root)]);
  await walkInto(root, '', options, files, visiting);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

async function walkInto(
  absoluteDir: string,
  relativeDir: string,
  options: WalkOptions,
  files: WalkedFile[],
  visiting: Set<string>,
): Promise<void> {
  const entries = await readdir(absoluteDir, { withFileTypes: true });
  for (const entry of entries) {
    const absolute = join(absoluteDir, entry.name);
    const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    let info = await lstat(absolute);
    if (info.isSymbolicLink()) {
      if (options.symlinks === 'refuse') {
        throw new FndError(`${relative} is a symbolic link; artifacts must hold real files (under ${absoluteDir})`);
      }
      info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
        throw new FndError(`${relative} is a broken symbolic link: ${error.message}`);
      });
    }
    const isDirectory = info.isDirectory();
    if (options.include && !options.include(relative, entry.name, isDirectory)) continue;
    if (isDirectory) {
      const real = await realpath(absolute);
      if (visiting.has(real)) throw new FndError(`${relative} links back to a directory above it (a symlink loop)`);
      visiting.add(real);
      await walkInto(absolute, relative, options, files, visiting);
      visiting.delete(real);
    } else if (info.isFile()) {
      files.push({ path: relative, absolute, size: info.size });
    } else {
      throw new FndError(`${relative} is not a regular file or directory (under ${absoluteDir})`);
    }
  }
}
