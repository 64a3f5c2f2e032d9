import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SignatureDetails } from '../hash/signature.js';
import { FndError } from '../util/errors.js';
import { fsyncDir } from './atomic.js';
import { isDirectory, listDir } from './fsutil.js';
import { buildEntry } from './build.js';
import { collectGarbage, listEntries, type CacheListing, type GcOptions, type GcResult } from './gc.js';
import { readLast, recordLast, type LastRun } from './history.js';
import { StoreLayout, hostTag, isProcessAlive, nonce, ownerOf } from './layout.js';
import { reclaimDeadLocks, withFileLock, type LockOptions } from './lock.js';
import { makeEntry, type CacheEntry, type EntryMetaInput } from './meta.js';
import { verifyEntry, type VerifyMode } from './verify.js';

export type LookupResult = { status: 'hit'; entry: CacheEntry } | { status: 'miss' } | { status: 'corrupt'; reason: string };

export interface LookupOptions {
  /**
   * `stat` (default) re-hashes only files the stat cache cannot vouch for; `full` re-hashes
   * every file; `sizes` checks presence and sizes only.
   */
  verify?: VerifyMode;
  /** Judge only: leave a corrupt entry where it is (`fnd status` must not change the cache). */
  dryRun?: boolean;
}

/** How many times commit retries the final rename when it keeps finding a corrupt entry in its way. */
const COMMIT_ATTEMPTS = 3;

/**
 * The content-addressed store of stage results (see StoreLayout for the directory layout).
 *
 * Protocol the engine follows for one stage, so two `fnd run`s on one project never corrupt each
 * other and the second reuses the first's result:
 *
 *   await store.withLock(sig, async () => {
 *     const found = await store.lookup(sig);          // hit: restore; corrupt: say so, then run
 *     if (found.status === 'hit') return found.entry;
 *     const work = await store.newWorkDir();          // the stage writes outputs/<port>, exports/
 *     ...run the stage with createStageContext({ workDir: work, resumeDir: store.resumeDir(sig), ... })
 *     const entry = await store.commit(sig, work, meta);
 *     await store.clearResume(sig);
 *     return entry;
 *   });
 *
 * commit is also safe without the lock (a lost rename race returns the winner's entry), but only
 * the lock keeps the second run from computing the same stage twice.
 */
export class CacheStore {
  readonly layout: StoreLayout;

  constructor(readonly root: string) {
    this.layout = new StoreLayout(root);
  }

  /** A fresh directory under `<root>/tmp/` for one stage attempt; its name carries this process's pid for cleanTmp. */
  async newWorkDir(): Promise<string> {
    const dir = join(this.layout.tmpDir, this.layout.newWorkDirName());
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Moves `workDir/outputs` and `workDir/exports` into the entry for `signature`, atomically, and
   * removes the rest of `workDir`. When a valid entry already exists (another process won the
   * race) ours is discarded and theirs returned: equal signatures promise equivalent results.
   */
  async commit(signature: string, workDir: string, meta: EntryMetaInput): Promise<CacheEntry> {
    const finalDir = this.layout.entryDir(signature);
    if (!(await isDirectory(workDir))) throw new FndError(`cannot commit stage "${meta.stageId}": work directory ${workDir} does not exist`);
    for (let attempt = 1; ; attempt++) {
      const existing = await this.lookup(signature);
      if (existing.status === 'hit') {
        await rm(workDir, { recursive: true, force: true });
        return existing.entry;
      }
      const staging = this.layout.stagingDir(signature);
      try {
        const built = await buildEntry(staging, signature, workDir, meta, this.layout);
        await rename(staging, finalDir);
        await fsyncDir(dirname(finalDir));
        await fsyncDir(this.layout.cacheDir); // the shard directory may be new
        await rm(workDir, { recursive: true, force: true });
        return makeEntry(signature, finalDir, built);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const lostRace = code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM';
        if (!lostRace || attempt >= COMMIT_ATTEMPTS) {
          await rm(staging, { recursive: true, force: true });
          throw error;
        }
        // Someone committed first. Put our files back so the retry (or the winner check) can use them.
        await moveBack(staging, workDir);
      }
    }
  }

  /**
   * Finds and verifies the entry for `signature`. A corrupt or half-written entry is moved to
   * `<root>/quarantine/` (so the next commit can take its place) and reported with the reason.
   * Call it inside withLock: without it, a concurrent commit could be judged mid-replacement.
   */
  async lookup(signature: string, options: LookupOptions = {}): Promise<LookupResult> {
    const dir = this.layout.entryDir(signature);
    const inode = await inodeOf(dir);
    if (inode === undefined) return { status: 'miss' };
    const verified = await verifyEntry(dir, signature, options.verify ?? 'stat', this.layout.stateDir);
    if (verified.ok) return { status: 'hit', entry: makeEntry(signature, dir, verified.meta) };
    if (options.dryRun) return { status: 'corrupt', reason: verified.reason };
    // A process that did not hold the lock (`fnd status`) must not move aside a fresh entry that
    // replaced the corrupt one while we were verifying: only quarantine the directory we judged.
    if ((await inodeOf(dir)) !== inode) return this.lookup(signature, options);
    await this.quarantine(signature, dir);
    return { status: 'corrupt', reason: verified.reason };
  }

  /** Runs `fn` holding the cross-process lock for `signature` (`<root>/locks/<sig>.lock`). */
  withLock<T>(signature: string, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    return withFileLock(this.layout.lockFile(signature), fn, options);
  }

  /** `<root>/resume/<sig>`: survives an interrupted attempt; the stage context creates it. */
  resumeDir(signature: string): string {
    return this.layout.resumeDir(signature);
  }

  async clearResume(signature: string): Promise<void> {
    await rm(this.layout.resumeDir(signature), { recursive: true, force: true });
  }

  /**
   * Removes work directories, half-built entries, half-placed blobs, half-deleted trash and locks
   * left by processes on this machine that are no longer running. Returns the paths removed.
   */
  async cleanTmp(): Promise<string[]> {
    const candidates: string[] = [
      ...(await listDir(this.layout.tmpDir)).map((name) => join(this.layout.tmpDir, name)),
      ...(await listDir(this.layout.trashDir)).map((name) => join(this.layout.trashDir, name)),
    ];
    for (const sharded of [this.layout.cacheDir, this.layout.objectsDir]) {
      for (const shard of await listDir(sharded)) {
        const shardDir = join(sharded, shard);
        for (const name of await listDir(shardDir)) if (name.startsWith('.')) candidates.push(join(shardDir, name));
      }
    }
    const removed: string[] = [];
    const here = hostTag();
    for (const path of candidates) {
      const owner = ownerOf(path.slice(dirname(path).length + 1));
      if (!owner || owner.host !== here || isProcessAlive(owner.pid)) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
    removed.push(...(await reclaimDeadLocks(this.layout.locksDir)));
    return removed;
  }

  /**
   * Re-hashes every file of every entry, ignoring the stat cache (which it renews), and
   * quarantines the entries that fail. Returns one line per entry checked.
   */
  async verifyAll(): Promise<{ signature: string; stageId: string; ok: boolean; reason?: string }[]> {
    const results = [];
    for (const listed of await listEntries(this.layout)) {
      const found = await this.withLock(listed.signature, () => this.lookup(listed.signature, { verify: 'full' }));
      results.push(
        found.status === 'corrupt'
          ? { signature: listed.signature, stageId: listed.stageId, ok: false, reason: found.reason }
          : { signature: listed.signature, stageId: listed.stageId, ok: found.status === 'hit' },
      );
    }
    return results;
  }

  /** Remembers the details a stage of a spec last ran with (for `fnd status`). */
  recordLast(specKey: string, stageId: string, details: SignatureDetails, signature: string): Promise<void> {
    return recordLast(this.layout.historyDir, specKey, stageId, details, signature);
  }

  readLast(specKey: string, stageId: string): Promise<LastRun | undefined> {
    return readLast(this.layout.historyDir, specKey, stageId);
  }

  listEntries(): Promise<CacheListing[]> {
    return listEntries(this.layout);
  }

  /** Removes entries (and resume dirs) not in `referenced`, and quarantined entries. `dryRun` only reports. */
  gc(referenced: Set<string>, options: GcOptions): Promise<GcResult> {
    return collectGarbage(this.layout, referenced, options);
  }

  private async quarantine(signature: string, dir: string): Promise<void> {
    await mkdir(this.layout.quarantineDir, { recursive: true });
    const target = join(this.layout.quarantineDir, `${signature}-${Date.now()}-${nonce()}`);
    try {
      await rename(dir, target);
    } catch (error) {
      // Another process moved it first: the entry is out of the way either way.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

async function moveBack(staging: string, workDir: string): Promise<void> {
  for (const part of ['outputs', 'exports']) {
    await rm(join(workDir, part), { recursive: true, force: true });
    await rename(join(staging, part), join(workDir, part)).catch(() => {});
  }
  await rm(staging, { recursive: true, force: true });
}

/** The directory's inode number, or undefined when it is absent (or not a directory). */
async function inodeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? info.ino : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
