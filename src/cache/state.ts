import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { hashFile } from '../hash/files.js';

/**
 * The stat cache (DVC's "state database"): for each blob hash, the inode, size and modification
 * time (ns) of the file last seen with that content. A lookup that finds all three unchanged
 * trusts the hash without reading the bytes; anything else is re-hashed and the record renewed.
 *
 * Residual risk, as in DVC: an edit that keeps the inode and size and puts the mtime back
 * (`touch -d`, or a tool that restores timestamps) is not noticed until `fnd cache verify`.
 *
 * One small file per hash (`state/<h[0..2]>/<h>.json`), written atomically, so concurrent
 * processes never lose each other's records and a torn record is only a re-hash.
 */
export interface StatRecord {
  ino: string;
  size: string;
  mtimeNs: string;
}

export function stateFile(stateDir: string, sha256: string): string {
  return join(stateDir, sha256.slice(0, 2), `${sha256}.json`);
}

/** The (inode, size, mtime) of a file, as strings (bigint stats: ns mtimes and 64-bit inodes). */
export async function statKey(path: string): Promise<StatRecord> {
  const info = await stat(path, { bigint: true });
  return { ino: String(info.ino), size: String(info.size), mtimeNs: String(info.mtimeNs) };
}

async function readRecord(stateDir: string, sha256: string): Promise<StatRecord | undefined> {
  try {
    const value = JSON.parse(await readFile(stateFile(stateDir, sha256), 'utf8')) as Partial<StatRecord>;
    return typeof value.ino === 'string' && typeof value.size === 'string' && typeof value.mtimeNs === 'string' ? (value as StatRecord) : undefined;
  } catch {
    return undefined; // absent or torn: the caller re-hashes
  }
}

/** Remembers that `path`, as it is now on disk, holds content `sha256`. */
export async function rememberHash(stateDir: string, path: string, sha256: string): Promise<void> {
  await writeRecord(stateDir, sha256, await statKey(path));
}

/**
 * Whole or absent (temp file, rename), but not fsynced: a record lost in a crash only costs a
 * re-hash, and a commit writes one per file.
 */
async function writeRecord(stateDir: string, sha256: string, record: StatRecord): Promise<void> {
  const file = stateFile(stateDir, sha256);
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export type HashCheck = 'match' | 'mismatch';

/**
 * Whether `path` holds content `sha256`. `trustStat`: skip the read when the stat cache's record
 * for that hash names this very inode, size and mtime. A fresh hash that matches renews the record.
 */
export async function checkHash(stateDir: string, path: string, sha256: string, trustStat: boolean): Promise<HashCheck> {
  const now = await statKey(path);
  if (trustStat) {
    const known = await readRecord(stateDir, sha256);
    if (known && known.ino === now.ino && known.size === now.size && known.mtimeNs === now.mtimeNs) return 'match';
  }
  const actual = await hashFile(path);
  if (actual !== sha256) return 'mismatch';
  // Record what we hashed only if the file did not change while we read it.
  const after = await statKey(path);
  if (after.ino === now.ino && after.size === now.size && after.mtimeNs === now.mtimeNs) await writeRecord(stateDir, sha256, after);
  return 'match';
}
