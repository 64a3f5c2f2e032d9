import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { walkFiles } from '../hash/walk.js';

/**
 * Durable writes. A reader must see either the old file or the complete new one, never a prefix:
 * write a temp file in the same directory (so the rename stays on one filesystem), fsync it,
 * rename it over the target, then fsync the directory so the rename itself survives a crash.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(path));
}

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * fsync a directory so the names created or renamed in it are durable. Some platforms (Windows)
 * cannot open a directory for syncing; there the rename is as durable as the OS makes it.
 */
export async function fsyncDir(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isUnsupported(error)) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}

/** fsync every file and every directory under `root` (and root itself), deepest directories first. */
export async function fsyncTree(root: string): Promise<void> {
  const files = await walkFiles(root, { symlinks: 'refuse' });
  const dirs = new Set<string>();
  for (const file of files) {
    await fsyncFile(file.absolute);
    let dir = dirname(file.absolute);
    while (dir.length > root.length && dir.startsWith(root)) {
      dirs.add(dir);
      dir = dirname(dir);
    }
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await fsyncDir(dir);
  await fsyncDir(root);
}

function isUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EACCES';
}
