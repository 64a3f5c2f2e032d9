import { cp, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../hash/canonical.js';
import { hashDirectory, type HashedFile } from '../hash/files.js';
import { FndError } from '../util/errors.js';
import { fsyncDir, fsyncTree } from './atomic.js';
import { internFile } from './objects.js';
import { MARKER_FILE, META_FILE, META_FORMAT, type CommitMarker, type EntryMeta, type EntryMetaInput, type OutputMeta } from './meta.js';

/**
 * Fills a staging directory (invisible to readers: it has a dot name next to the final place)
 * with a stage attempt's outputs and exports, hashes them, makes them durable, and writes
 * meta.json then the COMMITTED marker, in that order, each fsynced. The caller renames it into place.
 * Every file is interned in the blob store first (see objects.ts), so equal contents share one inode.
 */
export interface BlobStore {
  objectsDir: string;
  stateDir: string;
}

export async function buildEntry(staging: string, signature: string, workDir: string, input: EntryMetaInput, blobs: BlobStore): Promise<EntryMeta> {
  await mkdir(staging, { recursive: true });
  await moveDir(join(workDir, 'outputs'), join(staging, 'outputs'));
  await moveDir(join(workDir, 'exports'), join(staging, 'exports'));

  const outputs: Record<string, OutputMeta> = {};
  const files: HashedFile[] = [];
  for (const port of (await readdir(join(staging, 'outputs'))).sort()) {
    const portDir = join(staging, 'outputs', port);
    if (!(await stat(portDir)).isDirectory()) {
      throw new FndError(`stage "${input.stageId}" wrote outputs/${port} outside any output port (use ctx.outputDir(port))`);
    }
    const hashed = await hashArtifact(portDir, `${input.stageId}: output "${port}"`);
    outputs[port] = { hash: hashed.hash, files: hashed.files.length, bytes: sumSizes(hashed.files) };
    files.push(...hashed.files.map((file) => ({ ...file, path: `outputs/${port}/${file.path}` })));
  }
  const exported = await hashArtifact(join(staging, 'exports'), `${input.stageId}: exports`);
  files.push(...exported.files.map((file) => ({ ...file, path: `exports/${file.path}` })));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Each content once: files equal to a blob become links to it, new contents become blobs.
  for (const file of files) await internFile(blobs.objectsDir, blobs.stateDir, join(staging, file.path), file.sha256);

  const meta: EntryMeta = {
    format: META_FORMAT,
    signature,
    stageId: input.stageId,
    plugin: input.plugin,
    durationMs: input.durationMs,
    createdAt: input.createdAt ?? new Date().toISOString(),
    details: input.details,
    metrics: input.metrics ?? {},
    ...(input.summary !== undefined ? { summary: input.summary } : {}),
    outputs,
    files,
    bytes: sumSizes(files),
  };
  // Data first, then its description, then the marker: a crash at any point leaves no marker.
  await fsyncTree(staging);
  const metaText = `${JSON.stringify(meta, null, 2)}\n`;
  await writeDurable(join(staging, META_FILE), metaText);
  await fsyncDir(staging);
  const marker: CommitMarker = { signature, metaSha256: sha256(metaText) };
  await writeDurable(join(staging, MARKER_FILE), `${JSON.stringify(marker)}\n`);
  await fsyncDir(staging);
  return meta;
}

async function hashArtifact(dir: string, what: string): Promise<{ hash: string; files: HashedFile[] }> {
  try {
    return await hashDirectory(dir);
  } catch (error) {
    if (error instanceof FndError) throw new FndError(`${what}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Moves a directory (an empty one is made when the stage wrote none); copies when it lives on another filesystem. */
async function moveDir(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await mkdir(to, { recursive: true });
    } else if (code === 'EXDEV') {
      await cp(from, to, { recursive: true, verbatimSymlinks: true });
      await rm(from, { recursive: true, force: true });
    } else {
      throw error;
    }
  }
}

async function writeDurable(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sumSizes(files: HashedFile[]): number {
  return files.reduce((total, file) => total + file.size, 0);
}
