import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostTag } from '../../src/cache/layout.js';
import { CacheStore } from '../../src/cache/store.js';
import { metaInput, signatureOf, tempRoot, writeStageFiles } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(async () => cleanup());

async function committed(store: CacheStore, sig: string): Promise<string> {
  const work = await store.newWorkDir();
  await writeStageFiles(work);
  return (await store.commit(sig, work, metaInput())).dir;
}

/** Flips one byte in place: same size, different content. */
async function flipByte(path: string, at: number): Promise<void> {
  const handle = await open(path, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, at);
  byte[0] = byte[0]! ^ 0x01;
  await handle.write(byte, 0, 1, at);
  await handle.close();
}

describe('lookup of a damaged entry', () => {
  it.each<[string, (dir: string) => Promise<void>, string]>([
    ['a changed byte', (dir) => flipByte(join(dir, 'outputs/table/rows.jsonl'), 3), 'outputs/table/rows.jsonl: sha256 mismatch'],
    ['a truncated file', (dir) => truncate(join(dir, 'outputs/table/rows.jsonl'), 5), 'outputs/table/rows.jsonl: size 5, expected 48'],
    ['a deleted file', (dir) => rm(join(dir, 'exports/report.md')), 'exports/report.md: missing'],
    ['an added file', (dir) => writeFile(join(dir, 'outputs/table/extra.txt'), 'x'), 'outputs/table/extra.txt: not part of the committed entry'],
    ['a missing marker', (dir) => rm(join(dir, 'COMMITTED')), 'COMMITTED marker missing (the entry was never completed)'],
    ['a missing meta.json', (dir) => rm(join(dir, 'meta.json')), 'meta.json: missing'],
    ['an edited meta.json', (dir) => writeFile(join(dir, 'meta.json'), '{}'), 'meta.json: does not match the commit marker'],
    ['a garbled marker', (dir) => writeFile(join(dir, 'COMMITTED'), 'not json'), 'COMMITTED marker is unreadable'],
  ])('reports %s as corrupt, moves it aside, and a fresh commit works', async (_what, damage, reason) => {
    const store = new CacheStore(root);
    const sig = signatureOf({ damage: reason });
    const dir = await committed(store, sig);
    await damage(dir);

    expect(await store.lookup(sig)).toEqual({ status: 'corrupt', reason });
    expect(existsSync(dir)).toBe(false);
    const quarantined = await readdir(join(root, 'quarantine'));
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]!.startsWith(`${sig}-`)).toBe(true);
    expect(await store.lookup(sig)).toEqual({ status: 'miss' });

    await committed(store, sig);
    const again = await store.lookup(sig);
    expect(again.status).toBe('hit');
  });

  it('sizes-only verification still catches truncation', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ quick: true });
    const dir = await committed(store, sig);
    expect((await store.lookup(sig, { verify: 'sizes' })).status).toBe('hit');
    await truncate(join(dir, 'outputs/table/table.json'), 1);
    expect(await store.lookup(sig, { verify: 'sizes' })).toEqual({ status: 'corrupt', reason: 'outputs/table/table.json: size 1, expected 38' });
  });

  it('commit replaces a corrupt entry it finds in its way', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ replace: true });
    const dir = await committed(store, sig);
    await flipByte(join(dir, 'outputs/table/table.json'), 0);
    const work = await store.newWorkDir();
    await writeStageFiles(work);
    const entry = await store.commit(sig, work, metaInput({}, { summary: 'fresh' }));
    expect(entry.meta.summary).toBe('fresh');
    expect((await store.lookup(sig)).status).toBe('hit');
  });
});

describe('half-written entries are never hits', () => {
  it('an entry directory without a marker (a crash before the marker) is corrupt, not a hit', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ half: 1 });
    const dir = join(root, 'cache', sig.slice(0, 2), sig);
    await mkdir(join(dir, 'outputs', 'table'), { recursive: true });
    await writeFile(join(dir, 'outputs', 'table', 'rows.jsonl'), '{"id":"a:2"}\n');
    const result = await store.lookup(sig);
    expect(result.status).toBe('corrupt');
    expect(await store.lookup(sig)).toEqual({ status: 'miss' });
  });

  it('a staging directory (a crash before the rename) is invisible and cleaned once its process is gone', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ half: 2 });
    const dir = await committed(store, sig);
    // Turn the committed entry into what a crashed commit leaves: a staging dir owned by a dead pid.
    const staging = join(root, 'cache', sig.slice(0, 2), `.${sig}.${hostTag()}.999999999.0badf00d.staging`);
    await rename(dir, staging);
    expect(await store.lookup(sig)).toEqual({ status: 'miss' });
    expect(await store.listEntries()).toEqual([]);
    expect(await store.cleanTmp()).toEqual([staging]);
    expect(await readdir(join(root, 'cache', sig.slice(0, 2)))).toEqual([]);
    await committed(store, sig);
    expect((await store.lookup(sig)).status).toBe('hit');
    expect(JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')).signature).toBe(sig);
  });
});
