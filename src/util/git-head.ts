/**
 * The commit checked out in a folder's git repository, read from the files under .git (HEAD,
 * loose refs, packed-refs; worktrees and submodules through their `gitdir:` files), without
 * starting `git`: spawning it costs tens of milliseconds on every `fnd run`, cached or not.
 * Returns null when the folder is in no repository, undefined when the layout is not one this reads.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The git directory for `dir`: `.git` itself, or where a `.git` file's `gitdir:` points. */
function findGitDir(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const dotGit = join(current, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return dotGit;
      const pointer = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '')?.[1]?.trim();
      return pointer ? resolve(current, pointer) : undefined;
    }
    if (dirname(current) === current) return undefined;
  }
}

function resolveRef(gitDirs: string[], ref: string): string | undefined {
  for (const gitDir of gitDirs) {
    const loose = readText(join(gitDir, ref))?.trim();
    if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose;
    for (const line of (readText(join(gitDir, 'packed-refs')) ?? '').split('\n')) {
      const [hash, name] = line.split(' ');
      if (name === ref && hash && /^[0-9a-f]{40,64}$/.test(hash)) return hash;
    }
  }
  return undefined;
}

export function readGitHead(dir: string): string | null | undefined {
  const gitDir = findGitDir(dir);
  if (!gitDir) return null;
  const head = readText(join(gitDir, 'HEAD'))?.trim();
  if (!head) return undefined;
  if (/^[0-9a-f]{40,64}$/.test(head)) return head; // detached
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return undefined;
  // A worktree's branches live in the main repository (its `commondir`).
  const common = readText(join(gitDir, 'commondir'))?.trim();
  return resolveRef(common ? [gitDir, resolve(gitDir, common)] : [gitDir], ref);
}
