import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkTree } from '../../src/cache/link.js';
import { objectPath } from '../../src/cache/objects.js';
import { CacheStore } from '../../src/cache/store.js';
import { sha256 } from '../../src/hash/canonical.js';
import { metaInput, signatureOf, tempRoot, writeStageFiles } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(async () => cleanup());

const MODEL = 'weights '.repeat(1000);

/** An entry whose `model` port holds `weights.bin` (and a table), like train's and save's. */
async function commitModel(store: CacheStore, sig: string, stageId: string, model = MODEL) {
  const work = await store.newWorkDir();
  await writeStageFiles(work);
  await mkdir(join(work, 'outputs', 'model'), { recursive: true });
  await writeFile(join(work, 'outputs', 'model', 'weights.bin'), model);
  return store.commit(sig, work, metaInput({}, { stageId }));
}

describe('content-addressed blobs', () => {
  it('stores equal content once: two entries share one read-only inode with the blob', async () => {
    const store = new CacheStore(root);
    const train = await commitModel(store, signatureOf({ s: 'train' }), 'train');
    const save = await commitModel(store, signatureOf({ s: 'save' }), 'save');
    const [a, b, blob] = await Promise.all([
      stat(join(train.outputDir('model'), 'weights.bin')),
      stat(join(save.outputDir('model'), 'weights.bin')),
      stat(objectPath(store.layout.objectsDir, sha256(MODEL))),
    ]);
    expect(a.ino).toBe(blob.ino);
    expect(b.ino).toBe(blob.ino);
    expect(blob.nlink).toBe(3);
    expect(blob.mode & 0o777).toBe(0o444);
    expect(await readFile(objectPath(store.layout.objectsDir, sha256(MODEL)), 'utf8')).toBe(MODEL);
  });

  it('links a tree into a run folder (same inode, nothing copied)', async () => {
    const store = new CacheStore(root);
    const entry = await commitModel(store, signatureOf({ s: 'link' }), 'train');
    const runDir = join(root, 'runs', 'r1');
    expect(await linkTree(entry.dir, join(runDir, 'model'))).toMatchObject({ copied: 0 });
    expect((await stat(join(runDir, 'model', 'outputs', 'model', 'weights.bin'))).ino).toBe((await stat(join(entry.outputDir('model'), 'weights.bin'))).ino);
  });

  it('replaces a corrupt blob when the same content is committed again', async () => {
    const store = new CacheStore(root);
    const first = await commitModel(store, signatureOf({ s: 1 }), 'train');
    const blob = objectPath(store.layout.objectsDir, sha256(MODEL));
    await chmod(blob, 0o644);
    await writeFile(blob, MODEL.replace('w', 'W')); // same inode as the first entry's file
    expect((await store.lookup(first.signature)).status).toBe('corrupt');
    const second = await commitModel(store, signatureOf({ s: 2 }), 'save');
    expect(await readFile(join(second.outputDir('model'), 'weights.bin'), 'utf8')).toBe(MODEL);
    expect(await readFile(blob, 'utf8')).toBe(MODEL);
    expect((await store.lookup(second.signature, { verify: 'full' })).status).toBe('hit');
  });
});

/** Sets a file's mtime to the nanosecond (Node's utimes goes through a double and loses the last digits). */
async function restoreMtime(path: string, mtimeNs: bigint): Promise<void> {
  const seconds = mtimeNs / 1_000_000_000n;
  const nanos = String(mtimeNs % 1_000_000_000n).padStart(9, '0');
  execFileSync('touch', ['-m', '-d', `@${seconds}.${nanos}`, path]);
  expect((await stat(path, { bigint: true })).mtimeNs).toBe(mtimeNs);
}

describe('the stat cache', () => {
  async function setup() {
    const store = new CacheStore(root);
    const entry = await commitModel(store, signatureOf({ stat: 1 }), 'train');
    const file = join(entry.outputDir('model'), 'weights.bin');
    await chmod(file, 0o644);
    return { store, entry, file, before: await stat(file, { bigint: true }) };
  }

  it('trusts an unchanged (inode, size, mtime): an edit that restores all three goes unnoticed until a full verify', async () => {
    const { store, entry, file, before } = await setup();
    await writeFile(file, MODEL.replace('w', 'W'));
    await restoreMtime(file, before.mtimeNs);
    expect((await stat(file, { bigint: true })).ino).toBe(before.ino);
    // The documented residual risk: the stat cache vouches for the old content.
    expect((await store.lookup(entry.signature, { dryRun: true })).status).toBe('hit');
    expect(await store.lookup(entry.signature, { verify: 'full' })).toEqual({ status: 'corrupt', reason: 'outputs/model/weights.bin: sha256 mismatch' });
  });

  it('fnd cache verify (verifyAll) re-hashes everything: it finds that edit and quarantines the entry', async () => {
    const { store, entry, file, before } = await setup();
    const other = await commitModel(store, signatureOf({ stat: 2 }), 'save', 'other weights');
    await writeFile(file, MODEL.replace('w', 'W'));
    await restoreMtime(file, before.mtimeNs);
    const results = await store.verifyAll();
    expect(Object.fromEntries(results.map((r) => [r.signature, [r.ok, r.reason]]))).toEqual({
      [entry.signature]: [false, 'outputs/model/weights.bin: sha256 mismatch'],
      [other.signature]: [true, undefined],
    });
    expect(await store.lookup(entry.signature)).toEqual({ status: 'miss' });
  });

  it('re-hashes when the mtime changed (an edit in place is caught)', async () => {
    const { store, entry, file } = await setup();
    await writeFile(file, MODEL.replace('w', 'W'));
    expect(await store.lookup(entry.signature)).toEqual({ status: 'corrupt', reason: 'outputs/model/weights.bin: sha256 mismatch' });
  });

  it('re-hashes when the inode changed, even with size and mtime restored', async () => {
    const { store, entry, file, before } = await setup();
    const replacement = `${file}.new`;
    await writeFile(replacement, MODEL.replace('w', 'W'));
    await restoreMtime(replacement, before.mtimeNs);
    await rename(replacement, file);
    const now = await stat(file, { bigint: true });
    expect(now.ino).not.toBe(before.ino);
    expect([now.size, now.mtimeNs]).toEqual([before.size, before.mtimeNs]);
    expect(await store.lookup(entry.signature)).toEqual({ status: 'corrupt', reason: 'outputs/model/weights.bin: sha256 mismatch' });
  });

  it('re-hashes (and then trusts) a sound file the stat cache has no record of, e.g. an entry from an older fnd', async () => {
    const { store, entry } = await setup();
    await rm(store.layout.stateDir, { recursive: true });
    expect((await store.lookup(entry.signature)).status).toBe('hit');
    expect(existsSync(join(store.layout.stateDir, sha256(MODEL).slice(0, 2), `${sha256(MODEL)}.json`))).toBe(true);
  });
});

describe('gc with blobs', () => {
  it('keeps blobs a kept entry or a run folder links; the dry run lists exactly what --yes removes', async () => {
    const store = new CacheStore(root);
    const keep = await commitModel(store, signatureOf({ g: 'keep' }), 'train');
    const shared = await commitModel(store, signatureOf({ g: 'shared' }), 'save'); // same model as keep
    const own = await commitModel(store, signatureOf({ g: 'own' }), 'train', 'other weights');
    const linked = await commitModel(store, signatureOf({ g: 'linked' }), 'train', 'run folder weights');
    await linkTree(linked.outputDir('model'), join(root, 'runs', 'r1', 'model'));

    const referenced = new Set([keep.signature]);
    const dry = await store.gc(referenced, { dryRun: true });
    const real = await store.gc(referenced, { dryRun: false });
    expect(real).toEqual(dry);
    const blobs = dry.removed.filter((r) => r.stageId === '(blob)').map((r) => r.signature);
    // Only the content nothing else links goes: not the kept model, not the one a run folder holds.
    expect(blobs).toEqual([sha256('other weights')]);
    expect(dry.removed.filter((r) => r.stageId !== '(blob)').map((r) => r.signature).sort()).toEqual([shared.signature, own.signature, linked.signature].sort());
    expect(existsSync(objectPath(store.layout.objectsDir, sha256(MODEL)))).toBe(true);
    expect(existsSync(objectPath(store.layout.objectsDir, sha256('run folder weights')))).toBe(true);
    expect(existsSync(objectPath(store.layout.objectsDir, sha256('other weights')))).toBe(false);
    expect(await readFile(join(root, 'runs', 'r1', 'model', 'weights.bin'), 'utf8')).toBe('run folder weights');
    expect((await store.lookup(keep.signature, { verify: 'full' })).status).toBe('hit');
    expect(dry.freedBytes).toBe(dry.removed.reduce((sum, r) => sum + r.bytes, 0));
  });
});
