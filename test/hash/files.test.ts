import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/hash/canonical.js';
import { hashDirectory, hashFile, hashSourceTree } from '../../src/hash/files.js';
import { FndError } from '../../src/util/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fnd-hash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(relative: string, content: string | Uint8Array): Promise<void> {
  const path = join(dir, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
}

describe('hashFile', () => {
  it('streams a multi-chunk file to the same sha256 as hashing it whole', async () => {
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
    await put('big.bin', big);
    expect(await hashFile(join(dir, 'big.bin'))).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('hashes an empty file', async () => {
    await put('empty', '');
    expect(await hashFile(join(dir, 'empty'))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('names a missing file in its error', async () => {
    await expect(hashFile(join(dir, 'nope.txt'))).rejects.toThrow(/nope\.txt: it does not exist/);
  });
});

describe('hashDirectory', () => {
  it('lists files sorted by posix relative path with sizes and hashes', async () => {
    await put('b.txt', 'bee');
    await put('a/z.txt', 'zed!');
    await put('a/b/c.txt', '');
    const result = await hashDirectory(dir);
    expect(result.files).toEqual([
      { path: 'a/b/c.txt', size: 0, sha256: sha256('') },
      { path: 'a/z.txt', size: 4, sha256: sha256('zed!') },
      { path: 'b.txt', size: 3, sha256: sha256('bee') },
    ]);
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('depends on content and names, not on where the directory is', async () => {
    await put('x/rows.jsonl', '{"id":1}\n');
    await put('y/rows.jsonl', '{"id":1}\n');
    const x = await hashDirectory(join(dir, 'x'));
    expect((await hashDirectory(join(dir, 'y'))).hash).toBe(x.hash);

    await put('y/rows.jsonl', '{"id":2}\n');
    const edited = (await hashDirectory(join(dir, 'y'))).hash;
    expect(edited).not.toBe(x.hash);

    await put('y/rows.jsonl', '{"id":1}\n');
    await rename(join(dir, 'y/rows.jsonl'), join(dir, 'y/other.jsonl'));
    const renamed = (await hashDirectory(join(dir, 'y'))).hash;
    expect(renamed).not.toBe(x.hash);

    await put('x/extra', '');
    expect((await hashDirectory(join(dir, 'x'))).hash).not.toBe(x.hash);
  });

  it('refuses symlinks', async () => {
    await put('real.txt', 'data');
    await mkdir(join(dir, 'art'));
    await symlink(join(dir, 'real.txt'), join(dir, 'art', 'link.txt'));
    await expect(hashDirectory(join(dir, 'art'))).rejects.toThrow(FndError);
    await expect(hashDirectory(join(dir, 'art'))).rejects.toThrow(/link\.txt is a symbolic link/);
  });

  it('reports a missing directory clearly', async () => {
    await expect(hashDirectory(join(dir, 'missing'))).rejects.toThrow(/missing: it does not exist/);
  });
});

describe('hashSourceTree', () => {
  it('leaves out node_modules, dotfiles, logs and extra exclusions', async () => {
    await put('index.ts', 'export default 1');
    await put('schema.json', '{}');
    await put('lib/util.ts', 'x');
    await put('node_modules/dep/index.js', 'dep');
    await put('.git/HEAD', 'ref');
    await put('.env', 'SECRET=1');
    await put('debug.log', 'noise');
    await put('fixtures/big.csv', 'a,b');
    const all = await hashSourceTree(dir);
    expect(all.files.map((f) => f.path)).toEqual(['fixtures/big.csv', 'index.ts', 'lib/util.ts', 'schema.json']);
    const fewer = await hashSourceTree(dir, { exclude: ['fixtures', '*.json'] });
    expect(fewer.files.map((f) => f.path)).toEqual(['index.ts', 'lib/util.ts']);

    // Editing an excluded file leaves the hash alone; editing source changes it.
    await put('debug.log', 'more noise');
    expect((await hashSourceTree(dir)).hash).toBe(all.hash);
    await put('index.ts', 'export default 2');
    expect((await hashSourceTree(dir)).hash).not.toBe(all.hash);
  });

  it('follows a symlinked helper file', async () => {
    await put('shared/helper.ts', 'helper v1');
    await put('stage/index.ts', 'main');
    await symlink(join(dir, 'shared/helper.ts'), join(dir, 'stage/helper.ts'));
    const before = await hashSourceTree(join(dir, 'stage'));
    expect(before.files.map((f) => f.path)).toEqual(['helper.ts', 'index.ts']);
    await put('shared/helper.ts', 'helper v2');
    expect((await hashSourceTree(join(dir, 'stage'))).hash).not.toBe(before.hash);
  });
});
