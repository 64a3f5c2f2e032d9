import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../hash/canonical.js';
import { FndError } from '../util/errors.js';

/**
 * Where everything lives under the store root (default `<project>/.fnd`):
 *
 *   cache/<sig[0..2]>/<sig>/          committed entries: outputs/<port>/..., exports/..., meta.json, COMMITTED
 *   cache/<sig[0..2]>/.<sig>.<host>.<pid>.<rand>.staging   an entry being built (renamed into place when complete)
 *   tmp/w-<host>-<pid>-<rand>/        work directories of stage attempts
 *   resume/<sig>/                     checkpoints that survive an interrupted attempt
 *   locks/<sig>.lock                  cross-process lock per signature
 *   history/<spec hash>/<stage>.json  the details each stage last ran with, for `fnd status`
 *   quarantine/<sig>-<time>-<rand>/   corrupt entries moved aside for inspection; gc removes them
 *   trash/                            entries being deleted (renamed here first so they vanish atomically)
 *   objects/<h[0..2]>/<h>             blobs: each distinct file content once, read-only; entries hard-link them
 *   state/<h[0..2]>/<h>.json          stat cache: inode, size, mtime last seen with content h (see state.ts)
 *   projects/<key>.json               projects whose runs use this cache (gc keeps what any of them references)
 */
export class StoreLayout {
  constructor(readonly root: string) {}

  get cacheDir(): string {
    return join(this.root, 'cache');
  }
  get tmpDir(): string {
    return join(this.root, 'tmp');
  }
  get locksDir(): string {
    return join(this.root, 'locks');
  }
  get historyDir(): string {
    return join(this.root, 'history');
  }
  get quarantineDir(): string {
    return join(this.root, 'quarantine');
  }
  get trashDir(): string {
    return join(this.root, 'trash');
  }
  get objectsDir(): string {
    return join(this.root, 'objects');
  }
  get stateDir(): string {
    return join(this.root, 'state');
  }
  get projectsDir(): string {
    return join(this.root, 'projects');
  }
  get resumeRoot(): string {
    return join(this.root, 'resume');
  }

  entryDir(signature: string): string {
    checkSignature(signature);
    return join(this.cacheDir, signature.slice(0, 2), signature);
  }
  stagingDir(signature: string): string {
    checkSignature(signature);
    return join(this.cacheDir, signature.slice(0, 2), `.${signature}.${hostTag()}.${process.pid}.${nonce()}.staging`);
  }
  resumeDir(signature: string): string {
    checkSignature(signature);
    return join(this.resumeRoot, signature);
  }
  lockFile(signature: string): string {
    checkSignature(signature);
    return join(this.locksDir, `${signature}.lock`);
  }
  newWorkDirName(): string {
    return `w-${hostTag()}-${process.pid}-${nonce()}`;
  }
}

/** Signatures become path segments: only hex, so nothing can climb out of the store. */
export function checkSignature(signature: string): void {
  if (!/^[0-9a-f]{8,128}$/.test(signature)) {
    throw new FndError(`invalid cache signature "${signature}": expected lower-case hex (a sha256)`);
  }
}

/** A short, filename-safe tag for this machine, so a store on a shared disk never judges another host's pids. */
export function hostTag(): string {
  return sha256(hostname()).slice(0, 8);
}

export function nonce(): string {
  return randomBytes(4).toString('hex');
}

/**
 * Reads `<prefix><host>-<pid>-...`, `.<sig>.<host>.<pid>.<rand>.staging` and
 * `.<name>.<host>.<pid>.<rand>.tmp` (a blob or link being placed) names back.
 */
export function ownerOf(name: string): { host: string; pid: number } | undefined {
  const work = /^[wt]-([0-9a-f]{8})-(\d+)-/.exec(name);
  const staging = /^\.[0-9a-f]+\.([0-9a-f]{8})\.(\d+)\.[0-9a-f]+\.staging$/.exec(name);
  const temp = /^\..+\.([0-9a-f]{8})\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
  const match = work ?? staging ?? temp;
  if (!match) return undefined;
  return { host: match[1]!, pid: Number(match[2]) };
}

/** Whether a process with this pid exists on this machine (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
