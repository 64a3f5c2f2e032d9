import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FndError } from '../util/errors.js';
import { isProcessAlive } from './layout.js';
import { asStorageError } from '../util/fs/index.js';

/** What a lock file holds: who holds it, so a waiter can tell a live holder from a dead one. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  acquiredAt: string;
  /** Unique per acquisition, so a holder only ever removes its own lock. */
  token: string;
}

export interface LockOptions {
  /** Called once, when the lock is first found held by a live process. */
  onWait?: (holderPid: number, holder: LockInfo) => void;
  /** Stop waiting (Ctrl-C): the promise rejects (an AbortError) and the lock is not taken. */
  signal?: AbortSignal;
}

/** A lock file this old that still has no readable content was left by a process that died mid-create. */
const UNREADABLE_STALE_MS = 10_000;
const FIRST_POLL_MS = 15;
const MAX_POLL_MS = 500;

/**
 * Runs `fn` holding an exclusive cross-process lock at `path` (created with O_EXCL, which is
 * atomic on local filesystems). A lock whose holder is a dead process on this machine is stale
 * and taken over; a lock held by another machine is waited for, since its pid cannot be checked.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const token = await acquire(path, options);
  try {
    return await fn();
  } finally {
    await release(path, token);
  }
}

/** Takes the lock if it is free (or stale) right now; returns a release function, or undefined when held. */
export async function tryFileLock(path: string): Promise<(() => Promise<void>) | undefined> {
  const token = await attempt(path);
  if (token === undefined) return undefined;
  return () => release(path, token);
}

async function acquire(path: string, options: LockOptions): Promise<string> {
  let delay = FIRST_POLL_MS;
  let announced = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const token = await attempt(path);
    if (token !== undefined) return token;
    if (!announced && options.onWait) {
      const holder = await readHolder(path);
      if (holder && holder !== 'gone') {
        announced = true;
        options.onWait(holder.pid, holder);
      }
    }
    await sleep(delay, undefined, { signal: options.signal });
    delay = Math.min(MAX_POLL_MS, Math.ceil(delay * 1.5));
  }
}

/** One try: create the lock, or clear it if stale (and let the next try create it). */
async function attempt(path: string): Promise<string | undefined> {
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  if (await createExclusive(path, JSON.stringify(info))) return info.token;
  const holder = await readHolder(path);
  if (holder === 'gone') return createExclusive(path, JSON.stringify(info)).then((ok) => (ok ? info.token : undefined));
  if (await isStale(path, holder)) await breakStale(path, holder);
  return undefined;
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    const storage = asStorageError(error, path, 'create lock');
    throw storage instanceof FndError ? storage : new FndError(`cannot create lock ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    // An empty lock file would make every waiter wait: a lock that cannot be written is not taken.
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    const storage = asStorageError(error, path, 'create lock');
    throw storage instanceof FndError ? storage : new FndError(`cannot create lock ${path}: ${(error as Error).message}`, { cause: error });
  }
  await handle.close();
  return true;
}

/** The holder's info; undefined while the file exists but is not (yet) readable; 'gone' when it vanished. */
async function readHolder(path: string): Promise<LockInfo | undefined | 'gone'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return typeof info.pid === 'number' && typeof info.token === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(path: string, holder: LockInfo | undefined): Promise<boolean> {
  if (holder) return holder.hostname === hostname() && !isProcessAlive(holder.pid);
  // Unreadable: either being written right now (fresh) or its writer died between create and write.
  try {
    return Date.now() - (await stat(path)).mtimeMs > UNREADABLE_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Removes a stale lock without racing another waiter that judged it stale too: whoever holds the
 * `.break` side lock re-reads the lock and removes it only if it is still the same stale one, so
 * a fresh lock taken meanwhile by a third process is never removed.
 */
async function breakStale(path: string, stale: LockInfo | undefined): Promise<void> {
  const breaker = `${path}.break`;
  const mine = JSON.stringify({ pid: process.pid, hostname: hostname(), token: randomBytes(8).toString('hex') });
  if (!(await createExclusive(breaker, mine))) {
    const other = await readHolder(breaker);
    if (other !== 'gone' && (await isStale(breaker, other))) await unlink(breaker).catch(() => {});
    return;
  }
  try {
    const now = await readHolder(path);
    const same = now !== 'gone' && (stale === undefined ? now === undefined : now?.token === stale.token);
    if (same) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

async function release(path: string, token: string): Promise<void> {
  const holder = await readHolder(path);
  // Only remove our own lock: if it was (wrongly) broken and retaken, the new holder keeps it.
  if (holder !== 'gone' && holder?.token === token) await unlink(path).catch(() => {});
}

/**
 * Removes the locks in `dir` whose holder is a dead process on this machine (a run killed with
 * SIGKILL leaves its lock behind). Live holders and other machines' locks stay. Returns the paths removed.
 */
export async function reclaimDeadLocks(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.lock')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const holder = await readHolder(path);
    if (holder === 'gone' || !holder || !(await isStale(path, holder))) continue;
    await breakStale(path, holder);
    if ((await readHolder(path)) === 'gone') removed.push(path);
  }
  return removed;
}

/**
 * Who holds the lock at `path` and whether that process is alive: 'free' when nobody does. A
 * lock file still being written (holder undefined) counts as alive until it is old enough to be stale.
 */
export async function lockHolder(path: string): Promise<{ holder?: LockInfo; alive: boolean } | 'free'> {
  const holder = await readHolder(path);
  if (holder === 'gone') return 'free';
  return { ...(holder ? { holder } : {}), alive: !(await isStale(path, holder)) };
}

/**
 * Removes a lock the caller judged abandoned by other means (another host's run whose heartbeat
 * stopped), but only while it still holds that same acquisition (the token), never a fresh one.
 */
export async function breakAbandonedLock(path: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder === 'gone') return;
  await breakStale(path, holder);
}
