import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
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
    const listedBytes = new Map((await store.listEntries()).map((e) => [e.signature, e.bytes]));
    const dry = await store.gc(referenced, { dryRun: true });
    expect(dry.removed.map((r) => [r.signature, r.stageId])).toEqual([
      [drop1, 'clean'],
      [drop2, 'train'],
      [resumeOnly, '(resume)'],
      [broken, '(quarantined)'],
    ]);
    expect(dry.removed[0]!.bytes).toBe(listedBytes.get(drop1));
    expect(dry.removed[2]!.bytes).toBe(10);
    expect(dry.freedBytes).toBe(dry.removed.reduce((sum, r) => sum + r.bytes, 0));
    expect(dry.skipped).toEqual([]);
    expect((await store.listEntries()).map((e) => e.signature)).toEqual([keep, drop1, drop2]);
    expect(existsSync(store.resumeDir(resumeOnly))).toBe(true);

    const real = await store.gc(referenced, { dryRun: false });
    expect(real.removed).toEqual(dry.removed);
    expect(real.freedBytes).toBe(dry.freedBytes);
    expect((await store.listEntries()).map((e) => e.signature)).toEqual([keep]);
    expect(await store.lookup(drop1)).toEqual({ status: 'miss' });
    expect((await store.lookup(keep)).status).toBe('hit');
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
});
