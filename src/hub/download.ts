/**
 * Downloads files of a Hub model repository into the Hugging Face cache layout (see cache.ts):
 * the content goes to `blobs/<etag>`, the snapshot entry is a relative symlink to it (a copy
 * where symlinks are not allowed), and `refs/main` records the commit.
 */
import { copyFile, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { writeFileChunks } from '../util/fs/index.js';
import { repoFolderName } from './cache.js';

export interface DownloadProgress {
  file: string;
  /** Bytes received so far for this file. */
  loaded: number;
  /** From Content-Length, when the server sends it. */
  total?: number;
}

export interface DownloadOptions {
  cacheDir: string;
  repoId: string;
  revision: string;
  files: string[];
  optionalFiles: string[];
  endpoint: string;
  /** Time allowed for the server to answer each request (headers), in ms. */
  timeoutMs: number;
  token?: string;
  onProgress?: (progress: DownloadProgress) => void;
}

/** A download failure with the reason in words (no stack needed by the caller). */
export class DownloadError extends Error {
  override name = 'DownloadError';
}

async function request(url: string, options: DownloadOptions): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    return await fetch(url, {
      signal: controller.signal,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      redirect: 'follow',
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = controller.signal.aborted
      ? `no answer within ${options.timeoutMs / 1000}s`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new DownloadError(`cannot reach ${new URL(url).host} (${reason})`);
  } finally {
    clearTimeout(timer);
  }
}

function etagOf(response: Response): string | undefined {
  // LFS files report the content hash in X-Linked-Etag; the plain ETag is the pointer's.
  const raw = response.headers.get('x-linked-etag') ?? response.headers.get('etag');
  return raw?.replace(/^W\//, '').replace(/"/g, '') || undefined;
}

/** Downloads the files; returns the snapshot directory. Optional files the Hub lacks are recorded in `.no_exist/`. */
export async function downloadToCache(options: DownloadOptions): Promise<string> {
  const repoDir = join(options.cacheDir, repoFolderName(options.repoId));
  let commit: string | undefined;
  const wanted = [...options.files.map((f) => ({ file: f, optional: false })), ...options.optionalFiles.map((f) => ({ file: f, optional: true }))];
  const missingOptional: string[] = [];
  for (const { file, optional } of wanted) {
    const url = `${options.endpoint}/${options.repoId}/resolve/${encodeURIComponent(options.revision)}/${file}`;
    const response = await request(url, options);
    if (response.status === 404 && optional) {
      missingOptional.push(file);
      await response.body?.cancel();
      continue;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      const hint = response.status === 401 || response.status === 403 ? ' (private or gated: set HF_TOKEN)' : '';
      throw new DownloadError(`${url} answered HTTP ${response.status}${hint}`);
    }
    commit ??= response.headers.get('x-repo-commit') ?? undefined;
    if (!commit) throw new DownloadError(`${url} did not say which commit it served (no X-Repo-Commit header)`);
    const etag = etagOf(response) ?? `${commit}-${file.replace(/\//g, '_')}`;
    const blobPath = join(repoDir, 'blobs', etag);
    await mkdir(dirname(blobPath), { recursive: true });
    const total = Number(response.headers.get('content-length')) || undefined;
    let loaded = 0;
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        loaded += chunk.length;
        options.onProgress?.({ file, loaded, total });
        yield chunk;
      }
    }
    const partial = `${blobPath}.incomplete`;
    // A failed write (a full disk) removes the partial file and names it.
    await writeFileChunks(partial, counted());
    await rename(partial, blobPath);
    const entry = join(repoDir, 'snapshots', commit, file);
    await mkdir(dirname(entry), { recursive: true });
    await rm(entry, { force: true });
    try {
      await symlink(relative(dirname(entry), blobPath), entry);
    } catch {
      await copyFile(blobPath, entry);
    }
  }
  if (!commit) throw new DownloadError(`none of ${wanted.map((w) => w.file).join(', ')} exists in ${options.repoId}`);
  for (const file of missingOptional) {
    const marker = join(repoDir, '.no_exist', commit, file);
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
  }
  // Only a named branch gets a ref; a commit hash is its own snapshot name.
  if (!/^[0-9a-f]{40}$/.test(options.revision)) {
    await mkdir(join(repoDir, 'refs'), { recursive: true });
    await writeFile(join(repoDir, 'refs', options.revision), commit);
  }
  return join(repoDir, 'snapshots', commit);
}
