/**
 * The Hugging Face Hub cache layout, as huggingface_hub (Python) and @huggingface/hub write it:
 *
 *   <cache>/models--<org>--<name>/refs/main            the commit hash "main" points to
 *   <cache>/models--<org>--<name>/snapshots/<commit>/   the files (symlinks into blobs/, or copies)
 *   <cache>/models--<org>--<name>/blobs/<etag>          file contents
 *   <cache>/models--<org>--<name>/.no_exist/<commit>/<file>   marker: the Hub has no such file
 *
 * Reusing it means models a user already downloaded with Python are found without a download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (XDG_CACHE_HOME honoured, as Python does). */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'huggingface', 'hub');
}

/** "org/name" → "models--org--name" (a bare "name" → "models--name"). */
export function repoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

/** Hub ids: "name" or "org/name" of letters, digits, "-", "_", "." (no "..", no leading "."/"-"). */
const REPO_ID = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isRepoId(text: string): boolean {
  return REPO_ID.test(text) && !text.includes('..');
}

export interface CachedSnapshot {
  repoDir: string;
  commit: string;
  snapshotDir: string;
}

/** The snapshot `refs/<revision>` points to, when the cache has one; undefined otherwise. */
export function findSnapshot(cacheDir: string, repoId: string, revision = 'main'): CachedSnapshot | undefined {
  const repoDir = join(cacheDir, repoFolderName(repoId));
  const refPath = join(repoDir, 'refs', revision);
  let commit: string;
  if (existsSync(refPath)) {
    commit = readFileSync(refPath, 'utf8').trim();
  } else if (/^[0-9a-f]{40}$/.test(revision)) {
    commit = revision;
  } else {
    return undefined;
  }
  const snapshotDir = join(repoDir, 'snapshots', commit);
  return existsSync(snapshotDir) ? { repoDir, commit, snapshotDir } : undefined;
}

/** Whether the cache records that the Hub has no `file` at `commit` (so it need not be fetched). */
export function isKnownMissing(snapshot: CachedSnapshot, file: string): boolean {
  return existsSync(join(snapshot.repoDir, '.no_exist', snapshot.commit, file));
}
