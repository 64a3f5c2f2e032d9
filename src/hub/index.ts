/**
 * Finds a model's files: a local path as given, else a Hugging Face Hub id looked up in the
 * local Hub cache (shared with Python's huggingface_hub), downloaded into that cache when allowed.
 * Shared by the tokenizer and the model loader.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FndError } from '../util/errors.js';
import { findSnapshot, hubCacheDir, isKnownMissing, isRepoId, repoFolderName } from './cache.js';
import { DownloadError, downloadToCache, type DownloadProgress } from './download.js';

export { hubCacheDir, repoFolderName, isRepoId, findSnapshot } from './cache.js';
export type { DownloadProgress } from './download.js';

export interface ResolveHubOptions {
  /** Files the folder must hold (for a Hub id: downloaded when missing). */
  files: string[];
  /** Files fetched when the Hub has them; their absence is not an error. */
  optionalFiles?: string[];
  /** Allow downloading from the Hub (default true; HF_HUB_OFFLINE=1 forbids it). */
  download?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Base directory for relative paths (default process.cwd()). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Time allowed for the Hub to answer each request, in ms (default 20000). */
  timeoutMs?: number;
  /** Used in messages: what is being looked for, e.g. "tokenizer". */
  what?: string;
}

function offlineByEnv(env: NodeJS.ProcessEnv): boolean {
  const value = (env.HF_HUB_OFFLINE ?? env.TRANSFORMERS_OFFLINE ?? '').toLowerCase();
  return value === '1' || value === 'true' || value === 'yes' || value === 'on';
}

/**
 * Returns a directory (or, for a path, the path itself: a file or a folder) holding the files.
 * Throws one FndError naming the id, the cache folder looked in, and how to provide the files.
 */
export async function resolveHubFolder(idOrPath: string, options: ResolveHubOptions): Promise<string> {
  const env = options.env ?? process.env;
  const what = options.what ?? 'model';
  const local = resolve(options.cwd ?? process.cwd(), idOrPath);
  if (existsSync(local)) return local;
  if (!isRepoId(idOrPath)) {
    throw new FndError(`${what} path not found: ${local}`);
  }
  const cacheDir = hubCacheDir(env);
  const revision = options.revision ?? 'main';
  const optionalFiles = options.optionalFiles ?? [];
  const cached = findSnapshot(cacheDir, idOrPath, revision);
  if (cached && options.files.every((file) => existsSync(join(cached.snapshotDir, file)))) {
    return cached.snapshotDir;
  }
  const repoDir = join(cacheDir, repoFolderName(idOrPath));
  const howTo =
    `Put it there with \`huggingface-cli download ${idOrPath}\` (Python) on a machine with internet and copy ${repoDir}, ` +
    `or pass the path of a local folder holding ${options.files.join(', ')} instead of the id.`;
  const looked = `"${idOrPath}" is neither a local path (${local}) nor in the Hugging Face cache (looked in ${repoDir} for ${options.files.join(', ')})`;
  if (options.download === false || offlineByEnv(env)) {
    const why = options.download === false ? 'downloading is disabled' : 'HF_HUB_OFFLINE is set';
    throw new FndError(`${what} ${looked}, and ${why}. ${howTo}`);
  }
  try {
    return await downloadToCache({
      cacheDir,
      repoId: idOrPath,
      revision,
      files: options.files,
      optionalFiles: optionalFiles.filter((file) => !(cached && isKnownMissing(cached, file))),
      endpoint: (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
      timeoutMs: options.timeoutMs ?? 20_000,
      token: env.HF_TOKEN || undefined,
      onProgress: options.onProgress,
    });
  } catch (error) {
    if (error instanceof DownloadError) {
      throw new FndError(`${what} ${looked}, and the download failed: ${error.message}. ${howTo}`, { cause: error });
    }
    throw error;
  }
}
