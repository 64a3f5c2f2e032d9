import { copyFile, cp, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from './file-sink.js';
import { fsyncDir, fsyncFile } from './fsync.js';
import { StorageError, isStorageFailure } from './storage-error.js';

/**
 * Copies a file or a folder to `to` through a temp name beside it, so `to` appears complete or
 * not at all; a failure removes the temp copy and names `to` in a StorageError.
 */
export async function copyAtomic(from: string, to: string, options: { recursive?: boolean } = {}): Promise<void> {
  const temp = tempPathFor(to);
  try {
    if (options.recursive) {
      await cp(from, temp, { recursive: true, errorOnExist: true, force: false });
    } else {
      await copyFile(from, temp);
      await fsyncFile(temp);
    }
    await rename(temp, to);
    await fsyncDir(dirname(to));
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    // Name the destination: the error's own path may be the source's (cp reports either).
    throw isStorageFailure(error) ? new StorageError(error.code, to, 'write', error) : error;
  }
}
