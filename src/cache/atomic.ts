import { dirname } from 'node:path';
import { walkFiles } from '../hash/walk.js';
import { fsyncDir, fsyncFile } from '../util/fs/index.js';

// The durable single-file write lives with fnd's other write helpers (src/util/fs); the cache
// re-exports it so its callers keep one import.
export { writeFileAtomic, fsyncDir, fsyncFile } from '../util/fs/index.js';

/** fsync every file and every directory under `root` (and root itself), deepest directories first. */
export async function fsyncTree(root: string): Promise<void> {
  const files = await walkFiles(root, { symlinks: 'refuse' });
  const dirs = new Set<string>();
  for (const file of files) {
    await fsyncFile(file.absolute);
    let dir = dirname(file.absolute);
    while (dir.length > root.length && dir.startsWith(root)) {
      dirs.add(dir);
      dir = dirname(dir);
    }
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await fsyncDir(dir);
  await fsyncDir(root);
}
