import { chmod, copyFile, link, lstat, mkdir, rename, rm, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkHash, rememberHash } from './state.js';
import { hostTag, nonce } from './layout.js';

/**
 * The blob store: `objects/<h[0..2]>/<h>` holds each distinct file content once, read-only.
 * Cache entries hold hard links to blobs (a model that `train` produced and `save` wrote is
 * one inode), and run folders hold hard links to entry files.
 *
 * A blob is only an index for sharing: every entry keeps its own link, so removing or
 * replacing a blob never changes an entry. That is what makes gc of blobs safe and a corrupt
 * blob replaceable by a rename.
 */
export function objectPath(objectsDir: string, sha256: string): string {
  return join(objectsDir, sha256.slice(0, 2), sha256);
}

/** Read-only for everyone: a hard-linked copy in runs/ cannot be written in place by accident. */
export const BLOB_MODE = 0o444;

/** Errors meaning "this filesystem (or pair of places) cannot hard-link". */
export function cannotLink(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK';
}

function tempNameBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${hostTag()}.${process.pid}.${nonce()}.tmp`);
}

/**
 * Makes `path` (a freshly written file with content `sha256`) share its inode with the blob of
 * that content: when a sound blob exists, `path` is replaced by a link to it; otherwise `path`
 * becomes the blob (a corrupt blob is replaced atomically). Either way the file ends read-only
 * and the stat cache knows it.
 */
export async function internFile(objectsDir: string, stateDir: string, path: string, sha256: string): Promise<void> {
  const blob = objectPath(objectsDir, sha256);
  await mkdir(dirname(blob), { recursive: true });
  if ((await soundBlob(stateDir, blob, sha256)) && (await linkToBlob(stateDir, blob, path, sha256))) return;
  await chmod(path, BLOB_MODE);
  const temp = tempNameBeside(blob);
  try {
    await link(path, temp);
  } catch (error) {
    if (!cannotLink(error)) throw error;
    await copyFile(path, temp, constants.COPYFILE_FICLONE);
    await chmod(temp, BLOB_MODE);
  }
  try {
    await rename(temp, blob);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await rememberHash(stateDir, path, sha256);
}

/** Replaces `path` by a link to `blob`; false when the blob vanished meanwhile (gc), so the caller makes `path` the blob. */
async function linkToBlob(stateDir: string, blob: string, path: string, sha256: string): Promise<boolean> {
  const [mine, theirs] = await Promise.all([lstat(path), lstat(blob).catch(() => undefined)]);
  if (!theirs) return false;
  if (mine.ino === theirs.ino) return true;
  const temp = tempNameBeside(path);
  try {
    await link(blob, temp);
    await rename(temp, path);
    return true;
  } catch (error) {
    await rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    if (!cannotLink(error)) throw error;
    // Cannot link here: keep our own copy, read-only.
    await chmod(path, BLOB_MODE);
    await rememberHash(stateDir, path, sha256);
    return true;
  }
}

async function soundBlob(stateDir: string, blob: string, sha256: string): Promise<boolean> {
  try {
    await lstat(blob);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return (await checkHash(stateDir, blob, sha256, true)) === 'match';
}
