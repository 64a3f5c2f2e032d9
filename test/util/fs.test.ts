/**
 * The one write helper (src/util/fs): a failed write leaves no file and names the path; an
 * atomic write leaves the old file untouched until the new one is complete.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSink, StorageError, asStorageError, copyAtomic, writeFileAtomic, writeFileChunks } from '../../src/util/fs/index.js';
import { isUserError } from '../../src/util/errors.js';

const dir = () => mkdtempSync(join(tmpdir(), 'fnd-util-fs-'));

describe('write helpers', () => {
  it('writes chunks of any size in order (buffered past 1 MiB)', async () => {
    const d = dir();
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    await writeFileChunks(join(d, 'f'), ['a', big, new Uint8Array([1, 2]), 'é']);
    const back = readFileSync(join(d, 'f'));
    expect(back.length).toBe(1 + big.length + 2 + 2);
    expect(back.subarray(0, 1).toString()).toBe('a');
    expect(back.subarray(1 + big.length, 3 + big.length)).toEqual(Buffer.from([1, 2]));
    expect(back.subarray(-2).toString()).toBe('é');
  });

  it('a source that fails midway leaves no file behind', async () => {
    const d = dir();
    async function* rows() {
      yield 'x'.repeat(2 * 1024 * 1024);
      throw new Error('source broke');
    }
    await expect(writeFileChunks(join(d, 'f'), rows())).rejects.toThrow('source broke');
    expect(readdirSync(d)).toEqual([]);
  });

  it('an atomic write keeps the old file until the new one is complete, and leaves no temp file', async () => {
    const d = dir();
    const path = join(d, 'run.json');
    writeFileSync(path, 'old');
    const sink = await FileSink.open(path, { atomic: true });
    await sink.write('new, half');
    expect(readFileSync(path, 'utf8')).toBe('old');
    await sink.abort();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['run.json']);
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['run.json']);
  });

  it('names the path of a storage failure in a user error, and leaves other errors alone', async () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const named = asStorageError(enospc, '/data/rows.jsonl');
    expect(named).toBeInstanceOf(StorageError);
    expect((named as Error).message).toBe('cannot write /data/rows.jsonl: no space left on device (ENOSPC)');
    expect(isUserError(named)).toBe(true);
    expect((asStorageError(Object.assign(new Error('x'), { code: 'EIO' }), '/d/f') as Error).message).toBe('cannot write /d/f: input/output error (the device failed) (EIO)');
    const bug = new TypeError('not a storage failure');
    expect(asStorageError(bug, '/d/f')).toBe(bug);
    // A folder that cannot be written to: the real EACCES/ENOENT from the OS, with the path.
    await expect(writeFileChunks('/proc/version-fnd-cannot-exist/f', ['x'])).rejects.toThrow(/\/proc\/version-fnd-cannot-exist\/f/);
  });

  it('copies a folder through a temp name', async () => {
    const d = dir();
    await writeFileChunks(join(d, 'a.txt'), ['a']);
    await copyAtomic(d, join(d + '-copy'), { recursive: true });
    expect(readFileSync(join(d + '-copy', 'a.txt'), 'utf8')).toBe('a');
    expect(existsSync(d + '-copy')).toBe(true);
  });
});
