import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheStore } from '../../src/cache/store.js';
import { metaInput, signatureOf, tempRoot, writeStageFiles } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(async () => cleanup());

async function commitAs(store: CacheStore, sig: string, stageId: string, createdAt: string): Promise<void> {
  const work = await store.newWorkDir();
  await writeStageFiles(work);
  await store.commit(sig, work, metaInput({}, { stageId, createdAt }));
}

describe('listEntries and gc', () => {
  it('lists entries oldest first with their sizes', async () => {
    const store = new CacheStore(root);
    const [a, b] = [signatureOf({ a: 1 }), signatureOf({ b: 1 })];
    await commitAs(store, b, 'train', '2026-01-02T00:00:00.000Z');
    await commitAs(store, a, 'load', '2026-01-01T00:00:00.000Z');
    const listed = await store.listEntries();
    expect(listed.map(({ signature, stageId, plugin, createdAt }) => ({ signature, stageId, plugin, createdAt }))).toEqual([
      { signature: a, stageId: 'load', plugin: 'load-csv', createdAt: '2026-01-01T00:00:00.000Z' },
      { signature: b, stageId: 'train', plugin: 'load-csv', createdAt: '2026-01-02T00:00:00.000Z' },
    ]);
    // 48 + 38 + 9 bytes of files, plus meta.json and the marker.
    expect(listed[0]!.bytes).toBeGreaterThan(95);
  });

  it('dry run reports without removing; a real run removes unreferenced entries, resume dirs and quarantine', async () => {
    const store = new CacheStore(root);
    const [keep, drop1, drop2, resumeOnly] = [1, 2, 3, 4].map((n) => signatureOf({ gc: n })) as [string, string, string, string];
    await commitAs(store, keep, 'load', '2026-01-01T00:00:00.000Z');
    await commitAs(store, drop1, 'clean', '2026-01-02T00:00:00.000Z');
    await commitAs(store, drop2, 'train', '2026-01-03T00:00:00.000Z');
    await mkdir(store.resumeDir(resumeOnly), { recursive: true });
    await writeFile(join(store.resumeDir(resumeOnly), 'epoch-1.ckpt'), '1234567890');
    await mkdir(store.resumeDir(keep), { recursive: true });
    // A corrupt entry, quarantined by lookup.
    const broken = signatureOf({ gc: 5 });
    await commitAs(store, broken, 'evaluate', '2026-01-04T00:00:00.000Z');
    await rm(join(root, 'cache', broken.slice(0, 2), broken, 'COMMITTED'));
    expect((await store.lookup(broken)).status).toBe('corrupt');

    const referenced = new Set([keep]);
    const own = async (sig: string) =>
      (await stat(join(store.layout.entryDir(sig), 'meta.json'))).size + (await stat(join(store.layout.entryDir(sig), 'COMMITTED'))).size;
    const drop1Own = await own(drop1);
    const dry = await store.gc(referenced, { dryRun: true });
    const dirs = dry.removed.filter((r) => r.stageId !== '(blob)');
    expect(dirs.map((r) => [r.signature, r.stageId])).toEqual([
      [drop1, 'clean'],
      [drop2, 'train'],
      [resumeOnly, '(resume)'],
      [broken, '(quarantined)'],
    ]);
    // Every entry holds the same files, shared with the kept one: removing one frees its meta.json and marker only.
    expect(dirs[0]!.bytes).toBe(drop1Own);
    expect(dirs[2]!.bytes).toBe(10);
    expect(dry.removed.filter((r) => r.stageId === '(blob)')).toEqual([]);
    expect(dry.freedBytes).toBe(dry.removed.reduce((sum, r) => sum + r.bytes, 0));
    expect(dry.skipped).toEqual([]);
    expect((await store.listEntries()).map((e) => e.signature)).toEqual([keep, drop1, drop2]);
    expect(existsSync(store.resumeDir(resumeOnly))).toBe(true);

    const real = await store.gc(referenced, { dryRun: false });
    expect(real.removed).toEqual(dry.removed);
    expect(real.freedBytes).toBe(dry.freedBytes);
    expect((await store.listEntries()).map((e) => e.signature)).toEqual([keep]);
    expect(await store.lookup(drop1)).toEqual({ status: 'miss' });
    expect((await store.lookup(keep, { verify: 'full' })).status).toBe('hit');
    expect(existsSync(store.resumeDir(resumeOnly))).toBe(false);
    expect(existsSync(store.resumeDir(keep))).toBe(true);
    expect(existsSync(join(root, 'quarantine', 'x'))).toBe(false);

    const nothing = await store.gc(referenced, { dryRun: false });
    expect(nothing).toEqual({ removed: [], freedBytes: 0, skipped: [] });
  });

  it('leaves an entry alone while a process holds its lock', async () => {
    const store = new CacheStore(root);
    const busy = signatureOf({ busy: 1 });
    await commitAs(store, busy, 'train', '2026-01-01T00:00:00.000Z');
    const result = await store.withLock(busy, () => store.gc(new Set(), { dryRun: false }));
    expect(result.removed).toEqual([]);
    expect(result.skipped).toEqual([{ signature: busy, reason: 'in use by a running process' }]);
    expect((await store.lookup(busy)).status).toBe('hit');
  });

  it('never lists the resume folder of a live training job, in the dry run or a real one', async () => {
    const store = new CacheStore(root);
    const training = signatureOf({ training: 1 });
    await mkdir(store.resumeDir(training), { recursive: true });
    await writeFile(join(store.resumeDir(training), 'epoch-1.ckpt'), 'weights');
    // This (live) process holds the stage's lock, as a running train stage does.
    await store.withLock(training, async () => {
      for (const dryRun of [true, false]) {
        const result = await store.gc(new Set(), { dryRun });
        expect(result.removed).toEqual([]);
        expect(result.skipped).toEqual([{ signature: training, reason: 'a running stage is writing its checkpoints there' }]);
      }
    });
    expect(existsSync(join(store.resumeDir(training), 'epoch-1.ckpt'))).toBe(true);
    const after = await store.gc(new Set(), { dryRun: true });
    expect(after.removed.map((r) => r.stageId)).toEqual(['(resume)']);
  });
});
