/**
 * The remembered code hashes of the built-in stages (dist/stage-code-hashes.json, a stat cache
 * filled by the build) equal what hashing the files gives, stop being used as soon as a covered
 * file's size or mtime changes, and are remembered again once recomputed.
 */
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPluginCode } from '../../src/hash/module-graph.js';
import { PREBUILT_CODE_HASHES_FILE, prebuiltCodeHash, type PrebuiltCodeHash } from '../../src/hash/prebuilt-code-hashes.js';
import { packageRoot } from '../../src/util/package-root.js';

describe('prebuilt code hashes of the built-in stages', () => {
  const table = JSON.parse(readFileSync(PREBUILT_CODE_HASHES_FILE, 'utf8')) as Record<string, PrebuiltCodeHash>;

  it('cover every built-in stage and are used while the files are as built', () => {
    expect(Object.keys(table).sort()).toContain('dist/stages/train');
    expect(Object.keys(table).length).toBeGreaterThanOrEqual(10);
    for (const [dir, entry] of Object.entries(table)) expect(prebuiltCodeHash(join(packageRoot, dir))).toBe(entry.hash);
  });

  it('equal the hash computed from the files, which is used (and remembered anew) once a covered file changes', async () => {
    const dir = join(packageRoot, 'dist', 'stages', 'load-csv');
    const entry = table['dist/stages/load-csv']!;
    // A module outside the stage folder that the stage imports: touching it must invalidate the entry.
    const outside = entry.files.find(([path]) => path.startsWith('dist/src/text/'))!;
    expect(outside).toBeDefined();
    const file = join(packageRoot, outside[0]);
    const before = statSync(file);
    try {
      utimesSync(file, before.atime, new Date(before.mtimeMs + 5000));
      expect(prebuiltCodeHash(dir)).toBeUndefined();
      expect(await hashPluginCode(dir, join(dir, 'index.js'))).toBe(entry.hash);
      expect(prebuiltCodeHash(dir)).toBe(entry.hash); // remembered with the new mtime
    } finally {
      utimesSync(file, before.atime, before.mtime);
    }
    expect(prebuiltCodeHash(dir)).toBeUndefined();
    expect(await hashPluginCode(dir, join(dir, 'index.js'))).toBe(entry.hash);
    expect(prebuiltCodeHash(dir)).toBe(entry.hash);
  });
});
