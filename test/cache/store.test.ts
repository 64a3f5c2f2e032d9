import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/cache/atomic.js';
import { hostTag } from '../../src/cache/layout.js';
import { CacheStore } from '../../src/cache/store.js';
import { createStageContext } from '../../src/engine/context.js';
import { sha256 } from '../../src/hash/canonical.js';
import { hashDirectory } from '../../src/hash/files.js';
import { FndError } from '../../src/util/errors.js';
import { metaInput, sampleDetails, signatureOf, tempRoot, writeStageFiles } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(async () => cleanup());

describe('CacheStore commit and lookup', () => {
  it('commits a stage run through the real stage context and finds it again', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ path: 'a.csv' });
    expect(await store.lookup(sig)).toEqual({ status: 'miss' });

    const work = await store.newWorkDir();
    expect(work.startsWith(join(root, 'tmp'))).toBe(true);
    const ctx = createStageContext({
      stageId: 'load', plugin: 'load-csv', workDir: work, resumeDir: store.resumeDir(sig), specDir: root,
      projectDir: root, seed: 1, device: 'cpu', signal: new AbortController().signal,
    });
    await writeFile(join(ctx.outputDir('table'), 'rows.jsonl'), '{"id":"a.csv:2"}\n');
    await writeFile(join(ctx.outputDir('table'), 'table.json'), '{"columns":["id"],"rowCount":1}');
    await writeFile(join(ctx.outputDir('stats'), 'stats.json'), '{"n":1}');
    await writeFile(join(ctx.exportDir, 'report.md'), '# hi\n');
    await writeFile(join(ctx.scratchDir, 'junk.tmp'), 'scratch');

    const entry = await store.commit(sig, work, metaInput({ path: 'a.csv' }, { summary: '1 row', createdAt: '2026-01-02T03:04:05.000Z' }));
    expect(entry.dir).toBe(join(root, 'cache', sig.slice(0, 2), sig));
    expect(existsSync(work)).toBe(false);
    expect(await readFile(join(entry.outputDir('table'), 'rows.jsonl'), 'utf8')).toBe('{"id":"a.csv:2"}\n');
    expect(await readFile(join(entry.exportsDir, 'report.md'), 'utf8')).toBe('# hi\n');
    expect(entry.outputHash('table')).toBe((await hashDirectory(entry.outputDir('table'))).hash);
    expect(entry.outputHash('stats')).toBe((await hashDirectory(entry.outputDir('stats'))).hash);
    expect(() => entry.outputDir('model')).toThrow(FndError);
    expect(() => entry.outputHash('model')).toThrow(/has no output "model" \(it has: stats, table\)/);

    const meta = entry.meta;
    expect(meta.files).toEqual([
      { path: 'exports/report.md', size: 5, sha256: sha256('# hi\n') },
      { path: 'outputs/stats/stats.json', size: 7, sha256: sha256('{"n":1}') },
      { path: 'outputs/table/rows.jsonl', size: 17, sha256: sha256('{"id":"a.csv:2"}\n') },
      { path: 'outputs/table/table.json', size: 31, sha256: sha256('{"columns":["id"],"rowCount":1}') },
    ]);
    expect(meta).toMatchObject({
      signature: sig, stageId: 'load', plugin: 'load-csv', durationMs: 12, createdAt: '2026-01-02T03:04:05.000Z',
      metrics: { rows: 2 }, summary: '1 row', bytes: 60, details: sampleDetails({ path: 'a.csv' }),
    });
    expect(meta.outputs.table).toEqual({ hash: entry.outputHash('table'), files: 2, bytes: 48 });

    const marker = JSON.parse(await readFile(join(entry.dir, 'COMMITTED'), 'utf8')) as { metaSha256: string };
    expect(marker.metaSha256).toBe(sha256(await readFile(join(entry.dir, 'meta.json'), 'utf8')));

    const found = await store.lookup(sig);
    expect(found.status).toBe('hit');
    if (found.status === 'hit') expect(found.entry.meta).toEqual(meta);
    // Nothing but the entry itself is left in the shard (no staging dirs).
    expect(await readdir(join(root, 'cache', sig.slice(0, 2)))).toEqual([sig]);
  });

  it('commits a stage that wrote no exports and returns the existing entry on a second commit', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ n: 2 });
    const work = await store.newWorkDir();
    await writeStageFiles(work);
    const first = await store.commit(sig, work, metaInput({}, { summary: 'first' }));

    const again = await store.newWorkDir();
    await writeStageFiles(again, 'different\n');
    const second = await store.commit(sig, again, metaInput({}, { summary: 'second' }));
    expect(second.meta.summary).toBe('first');
    expect(second.outputHash('table')).toBe(first.outputHash('table'));
    expect(existsSync(again)).toBe(false);

    const bare = await store.newWorkDir();
    const sig3 = signatureOf({ n: 3 });
    const empty = await store.commit(sig3, bare, metaInput());
    expect(empty.meta.files).toEqual([]);
    expect(existsSync(empty.exportsDir)).toBe(true);
  });

  it('two concurrent commits in one process both return the single winning entry', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ concurrent: true });
    const works = [await store.newWorkDir(), await store.newWorkDir()];
    for (const work of works) await writeStageFiles(work);
    const entries = await Promise.all(works.map((work, i) => store.commit(sig, work, metaInput({}, { summary: `attempt ${i}` }))));
    expect(entries[0]!.meta).toEqual(entries[1]!.meta);
    expect((await store.lookup(sig)).status).toBe('hit');
    expect(await readdir(join(root, 'cache', sig.slice(0, 2)))).toEqual([sig]);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses outputs that are symlinks or stray files, leaving nothing in the cache', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ bad: true });
    const work = await store.newWorkDir();
    await writeStageFiles(work);
    await writeFile(join(work, 'outputs', 'loose.txt'), 'x');
    await expect(store.commit(sig, work, metaInput())).rejects.toThrow(/stage "load" wrote outputs\/loose\.txt outside any output port/);
    expect(await readdir(join(root, 'cache', sig.slice(0, 2)))).toEqual([]);
    expect(await store.lookup(sig)).toEqual({ status: 'miss' });

    const linked = await store.newWorkDir();
    await writeStageFiles(linked);
    await symlink('/etc/hostname', join(linked, 'outputs', 'table', 'link'));
    await expect(store.commit(sig, linked, metaInput())).rejects.toThrow(/load: output "table": link is a symbolic link/);
    expect(await store.lookup(sig)).toEqual({ status: 'miss' });
  });

  it('refuses a missing work dir and a signature that is not hex', async () => {
    const store = new CacheStore(root);
    await expect(store.commit(signatureOf({}), join(root, 'nope'), metaInput())).rejects.toThrow(/work directory .* does not exist/);
    await expect(store.lookup('../../etc')).rejects.toThrow(/invalid cache signature/);
  });
});

describe('resume and tmp', () => {
  it('keeps resume dirs per signature until cleared', async () => {
    const store = new CacheStore(root);
    const sig = signatureOf({ r: 1 });
    expect(store.resumeDir(sig)).toBe(join(root, 'resume', sig));
    await mkdir(store.resumeDir(sig), { recursive: true });
    await writeFile(join(store.resumeDir(sig), 'epoch-1.ckpt'), 'w');
    await store.clearResume(sig);
    expect(existsSync(store.resumeDir(sig))).toBe(false);
    await store.clearResume(sig); // clearing twice is fine
  });

  it('cleanTmp removes work dirs of dead processes only', async () => {
    const store = new CacheStore(root);
    const mine = await store.newWorkDir();
    const deadPid = await deadProcessId();
    const dead = join(root, 'tmp', `w-${hostTag()}-${deadPid}-abcd1234`);
    const otherHost = join(root, 'tmp', `w-00000000-${deadPid}-abcd1234`);
    const staging = join(root, 'cache', 'ab', `.ab${'0'.repeat(62)}.${hostTag()}.${deadPid}.abcd1234.staging`);
    for (const dir of [dead, otherHost, staging]) await mkdir(dir, { recursive: true });
    const removed = await store.cleanTmp();
    expect(removed.sort()).toEqual([staging, dead].sort());
    expect(existsSync(mine)).toBe(true);
    expect(existsSync(otherHost)).toBe(true);
  });
});

describe('history', () => {
  it('records and reads the last details per spec and stage', async () => {
    const store = new CacheStore(root);
    expect(await store.readLast('pipelines/demo.yaml', 'load')).toBeUndefined();
    await store.recordLast('pipelines/demo.yaml', 'load', sampleDetails({ a: 1 }), 'f'.repeat(64));
    await store.recordLast('pipelines/demo.yaml', 'load', sampleDetails({ a: 2 }), 'e'.repeat(64));
    await store.recordLast('pipelines/other.yaml', 'load', sampleDetails({ a: 3 }), 'd'.repeat(64));
    const last = await store.readLast('pipelines/demo.yaml', 'load');
    expect(last).toMatchObject({ specKey: 'pipelines/demo.yaml', stageId: 'load', signature: 'e'.repeat(64), details: sampleDetails({ a: 2 }) });
    expect((await store.readLast('pipelines/other.yaml', 'load'))?.signature).toBe('d'.repeat(64));
    expect(await store.readLast('pipelines/demo.yaml', 'train')).toBeUndefined();
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temp files', async () => {
    const path = join(root, 'data.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, new TextEncoder().encode('two'));
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(root)).toEqual(['data.json']);
  });
});

/** The pid of a process that has exited (so no process has it, barring reuse within milliseconds). */
async function deadProcessId(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}
