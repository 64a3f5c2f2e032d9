/**
 * Telling a running run from a dead one. While `fnd run` works it holds `runs/<id>/.run.lock`
 * (its pid and host, see cache/lock.ts) and touches it every HEARTBEAT_MS. A run.json that says
 * "running" is dead when that lock is gone, names a dead process on this host, or (for another
 * host, whose pids cannot be checked) has not been touched for STALE_MS. A dead run is recorded
 * as "crashed" and its lock and temp files are removed, by whoever reads it first.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../cache/atomic.js';
import { breakAbandonedLock, lockHolder, tryFileLock } from '../cache/lock.js';
import { RUN_LOCK_FILE } from './run-lease.js';
import { RUN_FILE, serializeJson, type RunRecord } from './record.js';

/** A lock from another host untouched this long belongs to a dead run (many missed heartbeats). */
export const STALE_MS = 10 * 60_000;

/** Why a "running" run is dead, or undefined while it is alive. */
export async function deadRunReason(runDir: string, now = Date.now()): Promise<string | undefined> {
  const path = join(runDir, RUN_LOCK_FILE);
  const holder = await lockHolder(path);
  if (holder === 'free') return 'its process left no lock (it was killed, or ran an older fnd)';
  const info = holder.holder;
  if (!info) return holder.alive ? undefined : 'its lock was never completed (the process died while starting)';
  if (info.hostname === hostname()) {
    return holder.alive ? undefined : `its process (pid ${info.pid}) is gone (killed, out of memory, or the machine restarted)`;
  }
  const touched = await stat(path).then((s) => s.mtimeMs, () => undefined);
  if (touched === undefined) return 'its lock vanished';
  return now - touched > STALE_MS
    ? `its process (pid ${info.pid} on ${info.hostname}) stopped its heartbeat ${Math.round((now - touched) / 60_000)} min ago`
    : undefined;
}

/**
 * For a record that says "running": when its process is dead, rewrites run.json as "crashed"
 * (stages still running become "failed"), removes the lock and temp files, and returns the new
 * record; otherwise returns the record unchanged. Safe to race: two readers write the same result.
 */
export async function settleRun(runDir: string, record: RunRecord): Promise<RunRecord> {
  if (record.status !== 'running') return record;
  const reason = await deadRunReason(runDir);
  if (reason === undefined) return record;
  // Re-read under our own claim of the lock, so a run that just finished is not overwritten.
  // The first try breaks the dead holder's lock; the second takes it.
  const lock = join(runDir, RUN_LOCK_FILE);
  let claim = (await tryFileLock(lock)) ?? (await tryFileLock(lock));
  if (!claim && (await deadRunReason(runDir)) !== undefined) {
    // Another host's lock is never stale to the lock module (its pid cannot be checked): the stopped
    // heartbeat decides. Judged again just now, so another reader's fresh claim is not broken.
    await breakAbandonedLock(lock);
    claim = await tryFileLock(lock);
  }
  if (!claim) return record;
  try {
    const current = JSON.parse(await readFile(join(runDir, RUN_FILE), 'utf8')) as RunRecord;
    if (current.status !== 'running') return current;
    const crashed: RunRecord = { ...current, status: 'crashed', error: `crashed: ${reason}` };
    await writeFileAtomic(join(runDir, RUN_FILE), serializeJson(crashed));
    await removeTempFiles(runDir);
    return { ...crashed, id: record.id };
  } finally {
    await claim();
  }
}

/** The temp files an interrupted atomic write leaves (`.<name>.<pid>.<rand>.tmp`). */
async function removeTempFiles(runDir: string): Promise<void> {
  for (const name of await readdir(runDir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await rm(join(runDir, name), { force: true });
  }
}
