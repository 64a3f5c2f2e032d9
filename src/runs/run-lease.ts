/** The lock a running `fnd run` holds in its run folder, touched as a heartbeat (see liveness.ts). */
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { tryFileLock } from '../cache/lock.js';

export const RUN_LOCK_FILE = '.run.lock';
const HEARTBEAT_MS = 15_000;

export interface RunLease {
  release(): Promise<void>;
}

/** Takes the run folder's lock and keeps touching it until released. */
export async function leaseRun(runDir: string): Promise<RunLease> {
  const path = join(runDir, RUN_LOCK_FILE);
  const release = await tryFileLock(path);
  if (!release) throw new Error(`internal: run folder ${runDir} is locked by another process`);
  const timer = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    release: async () => {
      clearInterval(timer);
      await release();
    },
  };
}

