import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes of everything under `path` (symlinks count as themselves, never followed); 0 when absent. */
export async function diskSize(path: string): Promise<number> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await diskSize(join(path, name));
  return total;
}
