/**
 * Downloads files of a Hub model repository into the Hugging Face cache layout (see cache.ts)
 * through `@huggingface/hub`, whose `downloadFileToCacheDir` writes what Python's and Rust's
 * clients write (blobs/<etag>, snapshots/<commit>/<file> symlinks, Xet-stored files included).
 * What fnd adds, as `snapshotDownload` does but for the named files only (a model repository
 * often also holds TensorFlow, Flax and ONNX weights nobody here needs): the revision is pinned
 * to one commit first and `refs/<revision>` records it; optional files the Hub lacks get a
 * `.no_exist` marker, as Python writes; progress per file; one timeout per request.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { repoFolderName } from './cache.js';

export interface DownloadProgress {
  file: string;
  /** Bytes received so far for this file. */
  loaded: number;
  /** The file's size, when the server says it. */
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

/**
 * fetch for @huggingface/hub: a timeout until the answer's headers arrive, network failures in
 * words, and the bytes of file bodies (`/resolve/` URLs) counted for the progress callback.
 */
function hubFetch(options: DownloadOptions, current: { file: string; total?: number }): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal: controller.signal });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = controller.signal.aborted ? `no answer within ${options.timeoutMs / 1000}s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new DownloadError(`cannot reach ${url.host} (${reason})`);
    } finally {
      clearTimeout(timer);
    }
    const ranged = new Headers(init?.headers).get('range');
    if (!url.pathname.includes('/resolve/') || !response.body || ranged === 'bytes=0-0') return response;
    let loaded = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, sink) {
          loaded += chunk.byteLength;
          options.onProgress?.({ file: current.file, loaded, ...(current.total !== undefined ? { total: current.total } : {}) });
          sink.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** An error of @huggingface/hub (HubApiError carries the HTTP status) in words. */
function describeHubError(error: unknown, options: DownloadOptions): DownloadError {
  if (error instanceof DownloadError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401 || status === 403) return new DownloadError(`the Hub refused access to ${options.repoId} (HTTP ${status}; private or gated: set HF_TOKEN)`);
  if (status === 404) return new DownloadError(`the Hub has no model ${options.repoId} at revision "${options.revision}" (HTTP 404)`);
  return new DownloadError(status ? `the Hub answered HTTP ${status}: ${message}` : message);
}

/**
 * `@huggingface/hub` logs each download with console.debug, which Node writes to stdout, where
 * fnd's JSON output goes: it is silenced for the duration of the download.
 */
async function withoutDebugLog<T>(work: () => Promise<T>): Promise<T> {
  const debug = console.debug;
  console.debug = () => {};
  try {
    return await work();
  } finally {
    console.debug = debug;
  }
}

/** Downloads the files; returns the snapshot directory. Optional files the Hub lacks are recorded in `.no_exist/`. */
export async function downloadToCache(options: DownloadOptions): Promise<string> {
  const hub = await import('@huggingface/hub');
  const current: { file: string; total?: number } = { file: '' };
  const common = {
    repo: { type: 'model' as const, name: options.repoId },
    hubUrl: options.endpoint,
    fetch: hubFetch(options, current),
    ...(options.token ? { accessToken: options.token } : {}),
  };
  try {
    return await withoutDebugLog(async () => {
      const info = await hub.modelInfo({ ...common, name: options.repoId, revision: options.revision, additionalFields: ['sha'] });
      const commit = (info as { sha?: string }).sha;
      if (!commit) throw new DownloadError(`the Hub did not say which commit "${options.revision}" of ${options.repoId} is`);
      const wanted = [...options.files, ...options.optionalFiles];
      const present = await hub.pathsInfo({ ...common, paths: wanted, revision: commit });
      const sizes = new Map(present.filter((entry) => entry.type === 'file').map((entry) => [entry.path, entry.size]));
      const missing = options.files.filter((file) => !sizes.has(file));
      if (missing.length > 0) throw new DownloadError(`${options.repoId} has no ${missing.join(', ')} at revision "${options.revision}"`);
      const repoDir = join(options.cacheDir, repoFolderName(options.repoId));
      for (const file of wanted) {
        if (!sizes.has(file)) {
          // As huggingface_hub records it: the Hub has no such file at this commit.
          const marker = join(repoDir, '.no_exist', commit, file);
          await mkdir(dirname(marker), { recursive: true });
          await writeFile(marker, '');
          continue;
        }
        current.file = file;
        const size = sizes.get(file);
        if (size !== undefined) current.total = size;
        else delete current.total;
        await hub.downloadFileToCacheDir({ ...common, path: file, revision: commit, cacheDir: options.cacheDir });
      }
      // Only a named branch or tag gets a ref; a commit hash is its own snapshot name.
      if (options.revision !== commit) {
        const ref = join(repoDir, 'refs', options.revision);
        await mkdir(dirname(ref), { recursive: true });
        await writeFile(ref, commit);
      }
      return join(repoDir, 'snapshots', commit);
    });
  } catch (error) {
    throw describeHubError(error, options);
  }
}
