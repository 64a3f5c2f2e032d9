import { constants } from 'node:fs';
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { walkFiles } from '../hash/walk.js';
import { cannotLink } from './objects.js';

/**
 * Places every file under `from` at the same relative path under `to` as a hard link (a
 * reflink or a copy only where the filesystem cannot link: another device, FAT). Files already
 * at a target path are replaced. Returns how many files were linked and how many copied.
 *
 * The linked files are cache blobs, read-only: editing one in place means changing its mode
 * first, and then the stat cache sees a new mtime and the entry is re-hashed (and quarantined).
 */
export async function linkTree(from: string, to: string): Promise<{ linked: number; copied: number }> {
  const counts = { linked: 0, copied: 0 };
  for (const file of await walkFiles(from, { symlinks: 'refuse' })) {
    const target = join(to, file.path);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    try {
      await link(file.absolute, target);
      counts.linked++;
    } catch (error) {
      if (!cannotLink(error)) throw error;
      await copyFile(file.absolute, target, constants.COPYFILE_FICLONE);
      counts.copied++;
    }
  }
  return counts;
}
