/**
 * Splits the texts into contiguous shares, one per worker thread, and joins the results in
 * order. Tokenizing ISOT's 45k articles is CPU-bound string work, so two cores halve it.
 *
 * Workers run worker.js when fnd runs built; from the sources, each worker registers tsx's
 * loader itself (the parent may be running under tsx, vitest or anything else) and runs worker.ts.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StageUserError } from '../../src/sdk/index.js';
import type { EncodeSettings, EncodedBlock } from './encode.js';

function workerBootstrap(): string {
  const own = fileURLToPath(import.meta.url);
  if (own.endsWith('.js')) return `import(${JSON.stringify(pathToFileURL(join(dirname(own), 'worker.js')).href)})`;
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const worker = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'worker.ts')).href;
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })`;
}

export async function encodeInWorkers(
  tokenizerPath: string,
  texts: readonly unknown[],
  settings: EncodeSettings,
  workerCount: number,
  signal: AbortSignal,
  onProgress: (done: number) => void,
): Promise<EncodedBlock> {
  const share = Math.ceil(texts.length / workerCount);
  const done = new Array<number>(workerCount).fill(0);
  const bootstrap = workerBootstrap();
  const workers: Worker[] = [];
  const runs = Array.from({ length: workerCount }, (_, w) => {
    const slice = texts.slice(w * share, (w + 1) * share);
    return new Promise<EncodedBlock>((resolve, reject) => {
      const worker = new Worker(bootstrap, {
        eval: true,
        execArgv: [],
        workerData: { tokenizer: tokenizerPath, texts: slice, settings },
      });
      workers.push(worker);
      worker.on('message', (message: { type: string; done?: number; block?: EncodedBlock; message?: string }) => {
        if (message.type === 'progress') {
          done[w] = message.done ?? 0;
          onProgress(done.reduce((a, b) => a + b, 0));
        } else if (message.type === 'done') {
          resolve(message.block!);
        } else {
          reject(new StageUserError(message.message ?? 'tokenize worker failed'));
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`tokenize worker ${w} exited with code ${code} before finishing`)));
    });
  });
  const abort = (): void => {
    for (const worker of workers) void worker.terminate();
  };
  signal.addEventListener('abort', abort, { once: true });
  try {
    const blocks = await Promise.all(runs);
    return concatBlocks(blocks);
  } finally {
    signal.removeEventListener('abort', abort);
    abort();
  }
}

function concatBlocks(blocks: EncodedBlock[]): EncodedBlock {
  const join32 = (parts: Int32Array[]): Int32Array => {
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  };
  return {
    ids: join32(blocks.map((b) => b.ids)),
    lengths: join32(blocks.map((b) => b.lengths)),
    untruncatedLengths: join32(blocks.map((b) => b.untruncatedLengths)),
  };
}
