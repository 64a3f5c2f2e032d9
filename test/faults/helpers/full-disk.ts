/**
 * A small disk for the fault suite. As root (CI runs as root) it is a real tmpfs mounted for the
 * test; otherwise the same folder is made to behave like one by fs-faults-preload.mjs, loaded into
 * the fnd processes under test. Tests use the same calls and assertions either way.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync, readdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type DiskMode = 'tmpfs' | 'injected';

export const PRELOAD = fileURLToPath(new URL('./fs-faults-preload.mjs', import.meta.url));

/** tmpfs when running as root, injection otherwise (FND_FAULTS_DISK=injected forces injection). */
export function defaultDiskMode(): DiskMode {
  if (process.env.FND_FAULTS_DISK === 'injected') return 'injected';
  return process.getuid?.() === 0 ? 'tmpfs' : 'injected';
}

export interface SmallDisk {
  mode: DiskMode;
  /** The folder on the small disk. */
  dir: string;
  /** The disk's capacity in bytes. */
  bytes: number;
  /** Injected disks: the error past capacity (ENOSPC), or EIO, or EACCES for every write. */
  code: 'ENOSPC' | 'EIO' | 'EACCES';
  /** Bytes still free. */
  free(): number;
  /** Writes a filler file so that about `leave` bytes stay free. */
  fill(leave: number): void;
  /** Removes the filler. */
  unfill(): void;
  /** Unmounts (tmpfs) and removes the folder. */
  dispose(): void;
}

function usedBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? usedBytes(path) : lstatSync(path).size;
  }
  return total;
}

export function smallDisk(bytes: number, mode: DiskMode = defaultDiskMode(), code: SmallDisk['code'] = 'ENOSPC'): SmallDisk {
  if (code !== 'ENOSPC' && mode !== 'injected') throw new Error(`a ${code} disk can only be injected`);
  const base = mkdtempSync(join(tmpdir(), 'fnd-faults-disk-'));
  const dir = join(base, 'disk');
  mkdirSync(dir);
  if (mode === 'tmpfs') execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  const filler = join(dir, '.filler');
  const free = () => {
    if (mode === 'tmpfs') {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    }
    return Math.max(0, bytes - usedBytes(dir));
  };
  return {
    mode,
    dir,
    bytes,
    code,
    free,
    fill(leave: number) {
      rmSync(filler, { force: true });
      const size = free() - leave;
      if (size > 0) writeFileSync(filler, Buffer.alloc(size));
    },
    unfill() {
      rmSync(filler, { force: true });
    },
    dispose() {
      if (mode === 'tmpfs') execFileSync('umount', [dir]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Environment for fnd processes that write to these disks: the injection preload, for injected ones. */
export function diskEnv(...disks: SmallDisk[]): Record<string, string> {
  const injected = disks.filter((disk) => disk.mode === 'injected');
  if (injected.length === 0) return {};
  return {
    NODE_OPTIONS: `--import ${PRELOAD}`,
    FND_FAULT_DISKS: JSON.stringify(injected.map((disk) => ({ dir: disk.dir, bytes: disk.bytes, code: disk.code }))),
  };
}
