/**
 * The one way fnd writes a file. Streams do not suit write paths that must fail cleanly: a
 * WriteStream whose write fails can leave its writer awaiting a 'drain' that never comes (a full
 * disk once ended runs silently with exit code 13). A FileSink awaits each write on the file
 * handle, so a failure rejects the very call that caused it, and it names the path.
 *
 * - `atomic: true` writes `.<name>.<pid>.<random>.tmp` beside the target, fsyncs it and renames it
 *   over the target on close (readers see the old file or the whole new one, never a prefix).
 * - Any failure (or `abort()`) closes the handle and removes what was written: no partial file
 *   is left behind, whatever the mode.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { asStorageError } from './storage-error.js';
import { fsyncDir } from './fsync.js';

export type Chunk = string | Uint8Array;

export interface SinkOptions {
  /** Write a temp file and rename it into place on close (fsyncing file and directory). */
  atomic?: boolean;
  /** fsync the file before closing (implied by `atomic`). */
  sync?: boolean;
  /** Fail when the file already exists (O_EXCL); not with `atomic`, which replaces the target. */
  exclusive?: boolean;
  /**
   * With `atomic`: false skips both fsyncs. The rename still makes the replacement all-or-nothing
   * for readers and for a crash of the process; only a power loss may bring back the old content.
   * For records rewritten many times a run whose final write is durable (run.json's progress).
   */
  durable?: boolean;
}

/** Bytes gathered before a write reaches the handle: few system calls, bounded memory. */
const BUFFER_BYTES = 1 << 20;

/** `.<name>.<pid>.<random>.tmp` next to `path`: the pid lets a cleaner tell a dead writer's leftovers. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export class FileSink {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private done = false;

  private constructor(
    /** The file the caller asked for (what messages name). */
    readonly path: string,
    /** Where the bytes go: `path`, or its temp file in atomic mode. */
    private readonly writtenPath: string,
    private readonly handle: FileHandle,
    private readonly options: SinkOptions,
  ) {}

  static async open(path: string, options: SinkOptions = {}): Promise<FileSink> {
    const writtenPath = options.atomic ? tempPathFor(path) : path;
    let handle: FileHandle;
    try {
      handle = await open(writtenPath, options.atomic || options.exclusive ? 'wx' : 'w');
    } catch (error) {
      throw asStorageError(error, path);
    }
    return new FileSink(path, writtenPath, handle, options);
  }

  /** Queues `chunk`; resolves once it is buffered or written. Rejects (and aborts) when the write fails. */
  async write(chunk: Chunk): Promise<void> {
    if (this.done) throw new Error(`internal: write to ${this.path} after it was closed`);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.byteLength === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.byteLength;
    if (this.pendingBytes >= BUFFER_BYTES) await this.guard(() => this.flush());
  }

  /** Flushes, fsyncs when asked, closes, and (atomic) renames into place. */
  async close(): Promise<void> {
    if (this.done) return;
    await this.guard(async () => {
      await this.flush();
      if (this.options.sync || (this.options.atomic && this.options.durable !== false)) await this.handle.sync();
    });
    this.done = true;
    try {
      await this.handle.close();
      if (this.options.atomic) {
        await rename(this.writtenPath, this.path);
        if (this.options.durable !== false) await fsyncDir(dirname(this.path));
      }
    } catch (error) {
      await rm(this.writtenPath, { force: true }).catch(() => {});
      throw asStorageError(error, this.path);
    }
  }

  /** Gives up: closes the handle and removes the partial file. Never throws. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.pending = [];
    await this.handle.close().catch(() => {});
    await rm(this.writtenPath, { force: true }).catch(() => {});
  }

  /** Writes every chunk and closes; on any failure (of the writes or of `chunks` itself) aborts and rethrows. */
  async writeAll(chunks: Iterable<Chunk> | AsyncIterable<Chunk>): Promise<void> {
    try {
      for await (const chunk of chunks) await this.write(chunk);
    } catch (error) {
      await this.abort();
      throw error;
    }
    await this.close();
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      await this.abort();
      throw asStorageError(error, this.path);
    }
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    // FileHandle.write may write less than asked (a disk filling up does): loop until all is written.
    let offset = 0;
    while (offset < data.byteLength) {
      const { bytesWritten } = await this.handle.write(data, offset, data.byteLength - offset);
      if (bytesWritten === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      offset += bytesWritten;
    }
  }
}

/** Writes `data` to `path` atomically (temp file, fsync, rename, directory fsync; no fsyncs with `durable: false`). */
export async function writeFileAtomic(path: string, data: Chunk, options: { durable?: boolean } = {}): Promise<void> {
  const sink = await FileSink.open(path, { atomic: true, ...options });
  await sink.writeAll([data]);
}

/** Writes `chunks` to `path` (replacing it); a failure leaves no file behind. */
export async function writeFileChunks(path: string, chunks: Iterable<Chunk> | AsyncIterable<Chunk>, options: SinkOptions = {}): Promise<void> {
  const sink = await FileSink.open(path, options);
  await sink.writeAll(chunks);
}
