import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheStore } from '../../src/cache/store.js';
import { signatureOf, tempRoot } from './helpers.js';

const worker = fileURLToPath(new URL('./fixtures/commit-worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(async () => cleanup());

interface WorkerResult {
  tag: string;
  ran: boolean;
  summary: string;
  waited: boolean;
}

function runWorker(sig: string, mode: 'race' | 'lock', goFile: string, tag: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, root, sig, mode, goFile, tag], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${tag} exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.trim()) as WorkerResult);
    });
  });
}

/** Starts two workers, waits until both have built their files, then releases them together. */
async function contend(sig: string, mode: 'race' | 'lock'): Promise<WorkerResult[]> {
  const goFile = join(root, `go-${mode}`);
  const results = Promise.all([runWorker(sig, mode, goFile, 'A'), runWorker(sig, mode, goFile, 'B')]);
  while (!(existsSync(`${goFile}.ready.A`) && existsSync(`${goFile}.ready.B`))) {
    // Surface a worker that crashed before getting ready instead of waiting forever.
    const early = await Promise.race([results.then(() => 'done', (error: Error) => error), sleep(20).then(() => undefined)]);
    if (early instanceof Error) throw early;
  }
  await writeFile(goFile, 'go');
  return results;
}

describe('two processes committing one signature', () => {
  it('without the lock: both succeed, both get the winner, the entry is valid', async () => {
    const sig = signatureOf({ race: 1 });
    const [a, b] = await contend(sig, 'race');
    expect(a!.summary).toBe(b!.summary);
    expect(['A', 'B']).toContain(a!.summary);
    const store = new CacheStore(root);
    const found = await store.lookup(sig);
    expect(found.status).toBe('hit');
    if (found.status === 'hit') expect(found.entry.meta.summary).toBe(a!.summary);
    expect(await readdir(join(root, 'cache', sig.slice(0, 2)))).toEqual([sig]);
    expect(existsSync(join(root, 'quarantine'))).toBe(false);
  });

  it('with the lock: exactly one runs, the other waits and finds the committed entry', async () => {
    const sig = signatureOf({ race: 2 });
    const results = await contend(sig, 'lock');
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    const winner = results.find((r) => r.ran)!;
    const loser = results.find((r) => !r.ran)!;
    expect(loser.summary).toBe(winner.summary);
    const store = new CacheStore(root);
    const found = await store.lookup(sig);
    expect(found.status === 'hit' && found.entry.meta.summary).toBe(winner.summary);
    expect(await readdir(join(root, 'locks'))).toEqual([]);
    // The loser's unused work dir belongs to a process that has exited: cleanTmp takes it.
    expect(await store.cleanTmp()).toHaveLength(1);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });
});

describe('withLock', () => {
  it('takes over a lock left by a dead process', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ stale: 1 });
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const lockFile = join(root, 'locks', `${sig}.lock`);
    await mkdir(join(root, 'locks'), { recursive: true });
    await writeFile(lockFile, JSON.stringify({ pid: dead.pid, hostname: hostname(), acquiredAt: '2020-01-01T00:00:00Z', token: 'old' }));
    const waits: number[] = [];
    const value = await store.withLock(sig, async () => {
      expect(existsSync(lockFile)).toBe(true);
      return 42;
    }, { onWait: (pid) => waits.push(pid) });
    expect(value).toBe(42);
    expect(waits).toEqual([]);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('waits for a live holder, telling onWait its pid, and proceeds when it lets go', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ live: 1 });
    const order: string[] = [];
    let release!: () => void;
    const holderDone = store.withLock(sig, async () => {
      order.push('holder start');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('holder end');
    });
    while (release === undefined) await sleep(1);
    const waiter = store.withLock(sig, async () => order.push('waiter'), {
      onWait: (pid) => {
        order.push(`waiting for ${pid}`);
        release();
      },
    });
    await Promise.all([holderDone, waiter]);
    expect(order).toEqual(['holder start', `waiting for ${process.pid}`, 'holder end', 'waiter']);
  });

  it('releases the lock when fn throws, and stops waiting when aborted', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ throw: 1 });
    await expect(store.withLock(sig, async () => { throw new Error('stage failed'); })).rejects.toThrow('stage failed');
    expect(await store.withLock(sig, async () => 'free again')).toBe('free again');

    const controller = new AbortController();
    await expect(
      store.withLock(sig, async () => {
        await expect(store.withLock(sig, async () => 'never', { signal: controller.signal, onWait: () => controller.abort() })).rejects.toThrow(/abort/i);
        return 'outer';
      }),
    ).resolves.toBe('outer');
  });
});
