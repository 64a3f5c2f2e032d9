/**
 * Failures of the storage under a write (a full disk, a broken device, a permission): the
 * user's environment, not a bug in fnd. Every writer turns them into one message that names the
 * path, so a full disk reads the same whether it hit a table, a checkpoint or run.json.
 */
import { FndError } from '../errors.js';

const STORAGE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EIO: 'input/output error (the device failed)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/** A write that failed because of the storage; `errno` is the errno name (ENOSPC, EIO, ...). Its `code` is FND_STORAGE. */
export class StorageError extends FndError {
  override name = 'StorageError';
  constructor(
    readonly errno: string,
    readonly path: string,
    action: string,
    cause?: unknown,
  ) {
    super(`cannot ${action} ${path}: ${STORAGE_FAILURES[errno] ?? errno} (${errno})`, { code: 'FND_STORAGE', cause });
  }
}

export function isStorageFailure(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(STORAGE_FAILURES, code);
}

/**
 * `error` as a StorageError naming `path` when the storage caused it; any other error unchanged
 * (a StorageError already naming its path is kept as it is).
 */
export function asStorageError(error: unknown, path: string, action = 'write'): unknown {
  if (error instanceof StorageError) return error;
  if (!isStorageFailure(error)) return error;
  return new StorageError(error.code, (error as NodeJS.ErrnoException).path ?? path, action, error);
}

/** Runs `fn`; a storage failure comes out as a StorageError naming `path`. */
export async function naming<T>(path: string, fn: () => Promise<T>, action = 'write'): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw asStorageError(error, path, action);
  }
}
