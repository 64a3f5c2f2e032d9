import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listDir } from './fsutil.js';
import { StoreLayout, hostTag, nonce } from './layout.js';
import { tryFileLock } from './lock.js';
import { META_FILE, type EntryMeta } from './meta.js';
import { diskSize } from './size.js';

export interface CacheListing {
  signature: string;
  /** Bytes on disk, meta.json included. */
  bytes: number;
  createdAt: string;
  /** "(unreadable)" when meta.json is missing or broken; lookup will quarantine such an entry. */
  stageId: string;
  plugin: string;
}

export interface GcOptions {
  /** Report what would be removed, remove nothing. */
  dryRun: boolean;
}

export interface GcRemoval {
  signature: string;
  bytes: number;
  /** The stage that produced it, or "(resume)" for an interrupted attempt's checkpoints, "(quarantined)" for a corrupt entry. */
  stageId: string;
}

export interface GcResult {
  removed: GcRemoval[];
  freedBytes: number;
  /** Unreferenced entries left alone because a running process holds their lock. */
  skipped: { signature: string; reason: string }[];
}

/** Committed entries (not verified: that is lookup's job), oldest first. */
export async function listEntries(layout: StoreLayout): Promise<CacheListing[]> {
  const listings: CacheListing[] = [];
  for (const shard of await listDir(layout.cacheDir)) {
    if (shard.startsWith('.')) continue;
    for (const signature of await listDir(join(layout.cacheDir, shard))) {
      if (signature.startsWith('.')) continue; // a staging dir, not an entry yet
      const dir = join(layout.cacheDir, shard, signature);
      const meta = await readMeta(dir);
      listings.push({
        signature,
        bytes: await diskSize(dir),
        createdAt: meta?.createdAt ?? (await stat(dir)).mtime.toISOString(),
        stageId: meta?.stageId ?? '(unreadable)',
        plugin: meta?.plugin ?? '',
      });
    }
  }
  return listings.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/**
 * Removes what no spec or run references: unreferenced entries, resume dirs of unreferenced
 * signatures, and everything quarantined. Each removal first renames the directory into trash/
 * (so a reader sees the entry whole or not at all), under the signature's lock when it has one.
 */
export async function collectGarbage(layout: StoreLayout, referenced: Set<string>, options: GcOptions): Promise<GcResult> {
  const result: GcResult = { removed: [], freedBytes: 0, skipped: [] };
  const remove = async (dir: string, removal: GcRemoval, lockSignature?: string): Promise<void> => {
    if (options.dryRun) {
      result.removed.push(removal);
      result.freedBytes += removal.bytes;
      return;
    }
    const release = lockSignature ? await tryFileLock(layout.lockFile(lockSignature)) : async () => {};
    if (!release) {
      result.skipped.push({ signature: removal.signature, reason: 'in use by a running process' });
      return;
    }
    try {
      await trash(layout, dir);
    } finally {
      await release();
    }
    result.removed.push(removal);
    result.freedBytes += removal.bytes;
  };

  for (const entry of await listEntries(layout)) {
    if (referenced.has(entry.signature)) continue;
    await remove(layout.entryDir(entry.signature), { signature: entry.signature, bytes: entry.bytes, stageId: entry.stageId }, entry.signature);
  }
  const resumeRoot = join(layout.root, 'resume');
  for (const signature of await listDir(resumeRoot)) {
    if (referenced.has(signature) || !/^[0-9a-f]{8,128}$/.test(signature)) continue;
    const dir = join(resumeRoot, signature);
    await remove(dir, { signature, bytes: await diskSize(dir), stageId: '(resume)' }, signature);
  }
  for (const name of await listDir(layout.quarantineDir)) {
    const dir = join(layout.quarantineDir, name);
    await remove(dir, { signature: name.split('-')[0] ?? name, bytes: await diskSize(dir), stageId: '(quarantined)' });
  }
  return result;
}

async function trash(layout: StoreLayout, dir: string): Promise<void> {
  await mkdir(layout.trashDir, { recursive: true });
  const target = join(layout.trashDir, `t-${hostTag()}-${process.pid}-${nonce()}`);
  try {
    await rename(dir, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // already gone
    throw error;
  }
  await rm(target, { recursive: true, force: true });
}

async function readMeta(dir: string): Promise<EntryMeta | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as EntryMeta;
  } catch {
    return undefined;
  }
}
