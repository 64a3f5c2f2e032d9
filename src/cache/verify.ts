import { readFile } from 'node:fs/promises';
import { sha256 } from '../hash/canonical.js';
import { checkHash } from './state.js';
import { walkFiles } from '../hash/walk.js';
import { MARKER_FILE, META_FILE, metaProblem, type CommitMarker, type EntryMeta } from './meta.js';

/**
 * `full` re-hashes every file (`fnd cache verify`); `stat` (the default) re-hashes only files
 * whose inode, size or mtime differ from the stat cache's record; `sizes` trusts sizes only.
 */
export type VerifyMode = 'full' | 'stat' | 'sizes';

export type VerifyResult = { ok: true; meta: EntryMeta } | { ok: false; reason: string };

/**
 * Checks a committed entry from the marker inwards: marker, meta.json (and that it is the one the
 * marker was written after), then every file's existence, size and (in `full` mode) sha256, and
 * that no file was added. The first problem found is the reason, naming the file.
 */
export async function verifyEntry(dir: string, signature: string, mode: VerifyMode, stateDir: string): Promise<VerifyResult> {
  const markerText = await readText(`${dir}/${MARKER_FILE}`);
  if (markerText === undefined) return fail(`${MARKER_FILE} marker missing (the entry was never completed)`);
  let marker: Partial<CommitMarker>;
  try {
    marker = JSON.parse(markerText) as Partial<CommitMarker>;
  } catch {
    return fail(`${MARKER_FILE} marker is unreadable`);
  }
  if (marker.signature !== signature) return fail(`${MARKER_FILE} marker names another signature`);

  const metaText = await readText(`${dir}/${META_FILE}`);
  if (metaText === undefined) return fail(`${META_FILE}: missing`);
  if (sha256(metaText) !== marker.metaSha256) return fail(`${META_FILE}: does not match the commit marker`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(metaText);
  } catch {
    return fail(`${META_FILE}: not valid JSON`);
  }
  const problem = metaProblem(parsed, signature);
  if (problem !== undefined) return fail(problem);
  const meta = parsed as EntryMeta;

  let present;
  try {
    present = await walkFiles(dir, { symlinks: 'refuse' });
  } catch (error) {
    return fail((error as Error).message);
  }
  const sizes = new Map(present.map((file) => [file.path, file.size]));
  for (const file of meta.files) {
    const size = sizes.get(file.path);
    if (size === undefined) return fail(`${file.path}: missing`);
    if (size !== file.size) return fail(`${file.path}: size ${size}, expected ${file.size}`);
  }
  const listed = new Set(meta.files.map((file) => file.path));
  for (const file of present) {
    if (file.path !== META_FILE && file.path !== MARKER_FILE && !listed.has(file.path)) {
      return fail(`${file.path}: not part of the committed entry`);
    }
  }
  if (mode !== 'sizes') {
    for (const file of meta.files) {
      let check;
      try {
        check = await checkHash(stateDir, `${dir}/${file.path}`, file.sha256, mode === 'stat');
      } catch {
        return fail(`${file.path}: unreadable`);
      }
      if (check === 'mismatch') return fail(`${file.path}: sha256 mismatch`);
    }
  }
  return { ok: true, meta };
}

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
