import { lstat, mkdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { walkFiles } from '../hash/walk.js';
import { listDir } from './fsutil.js';
import { StoreLayout, hostTag, nonce } from './layout.js';
import { lockHolder, tryFileLock } from './lock.js';
import { META_FILE, type EntryMeta } from './meta.js';
import { diskSize } from './size.js';
import { stateFile } from './state.js';

export interface CacheListing {
  signature: string;
  /** Bytes of the entry's files (shared blobs included), meta.json included. */
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
  /** A signature, or a blob's content hash for `(blob)`. */
  signature: string;
  /** Disk space this removal frees (a file shared with something kept frees nothing). */
  bytes: number;
  /**
   * The stage that produced it, "(resume)" for an interrupted attempt's checkpoints,
   * "(quarantined)" for a corrupt entry, "(blob)" for file content nothing links any more.
   */
  stageId: string;
}

export interface GcResult {
  removed: GcRemoval[];
  freedBytes: number;
  /** Unreferenced entries and resume folders left alone because a running process holds their lock. */
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

interface PlannedRemoval {
  dir: string;
  removal: Omit<GcRemoval, 'bytes'>;
  lockSignature?: string;
}

const IN_USE = 'in use by a running process';
const RESUME_IN_USE = 'a running stage is writing its checkpoints there';

/**
 * Removes what nothing references: entries whose signature is not in `referenced`, resume
 * folders of such signatures, everything quarantined, then the blobs no remaining file links.
 * A directory whose lock a live process holds is skipped (in the dry run too, so the dry run
 * lists exactly what a real one removes). Each directory is first renamed into trash/ (a reader
 * sees it whole or not at all), under its signature's lock.
 */
export async function collectGarbage(layout: StoreLayout, referenced: Set<string>, options: GcOptions): Promise<GcResult> {
  const result: GcResult = { removed: [], freedBytes: 0, skipped: [] };
  const planned: PlannedRemoval[] = [];
  for (const entry of await listEntries(layout)) {
    if (referenced.has(entry.signature)) continue;
    planned.push({ dir: layout.entryDir(entry.signature), removal: { signature: entry.signature, stageId: entry.stageId }, lockSignature: entry.signature });
  }
  for (const signature of await listDir(layout.resumeRoot)) {
    if (referenced.has(signature) || !/^[0-9a-f]{8,128}$/.test(signature)) continue;
    planned.push({ dir: layout.resumeDir(signature), removal: { signature, stageId: '(resume)' }, lockSignature: signature });
  }
  for (const name of await listDir(layout.quarantineDir)) {
    planned.push({ dir: join(layout.quarantineDir, name), removal: { signature: name.split('-')[0] ?? name, stageId: '(quarantined)' } });
  }

  // Links each removal drops, per inode: a blob whose every other link goes is removable.
  const dropped = new Map<bigint, number>();
  for (const plan of planned) {
    const release = plan.lockSignature ? await claim(layout, plan.lockSignature, options.dryRun) : async () => {};
    if (!release) {
      result.skipped.push({ signature: plan.removal.signature, reason: plan.removal.stageId === '(resume)' ? RESUME_IN_USE : IN_USE });
      continue;
    }
    try {
      const bytes = await dropLinks(plan.dir, dropped);
      if (!options.dryRun) await trash(layout, plan.dir);
      result.removed.push({ ...plan.removal, bytes });
      result.freedBytes += bytes;
    } finally {
      await release();
    }
  }

  for (const shard of await listDir(layout.objectsDir)) {
    for (const name of await listDir(join(layout.objectsDir, shard))) {
      if (name.startsWith('.')) continue; // a blob being placed
      const blob = join(layout.objectsDir, shard, name);
      const info = await lstat(blob, { bigint: true }).catch(() => undefined);
      if (!info) continue;
      // In a real run the entries are gone already, so their links are too.
      const others = Number(info.nlink) - 1 - (options.dryRun ? (dropped.get(info.ino) ?? 0) : 0);
      if (others > 0) continue;
      if (!options.dryRun) {
        await unlink(blob).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
        await rm(stateFile(layout.stateDir, name), { force: true });
      }
      result.removed.push({ signature: name, stageId: '(blob)', bytes: Number(info.size) });
      result.freedBytes += Number(info.size);
    }
  }
  return result;
}

/** Real run: take the lock (undefined when held). Dry run: only check that no live process holds it. */
async function claim(layout: StoreLayout, signature: string, dryRun: boolean): Promise<(() => Promise<void>) | undefined> {
  if (!dryRun) return tryFileLock(layout.lockFile(signature));
  const holder = await lockHolder(layout.lockFile(signature));
  return holder !== 'free' && holder.alive ? undefined : async () => {};
}

/**
 * Counts the links to shared inodes under `dir` into `dropped` and returns the bytes removing
 * `dir` frees by itself: files no blob shares (meta.json, the marker, checkpoints).
 */
async function dropLinks(dir: string, dropped: Map<bigint, number>): Promise<number> {
  let own = 0;
  let files;
  try {
    files = await walkFiles(dir, { symlinks: 'refuse' });
  } catch {
    return diskSize(dir); // odd content (a symlink in a quarantined entry): count it all as its own
  }
  for (const file of files) {
    const info = await lstat(file.absolute, { bigint: true });
    if (info.nlink > 1n) dropped.set(info.ino, (dropped.get(info.ino) ?? 0) + 1);
    else own += Number(info.size);
  }
  return own;
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
