/**
 * Whole-file replacement that readers never see half-done: write a sibling temp file, fsync it,
 * rename over the target (atomic on POSIX within one directory). `fnd runs` may read run.json
 * while a run is still updating it, so a plain writeFile would occasionally show truncated JSON.
 */
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // A random suffix (not a counter) keeps concurrent writers from sharing a temp file without
  // needing module-level state.
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
