/**
 * Worker thread: loads the tokenizer from an already-resolved path, encodes its share of the
 * texts and posts back typed arrays (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadTokenizer } from '../../src/text/tokenizer.js';
import { encodeBlock, type EncodeSettings } from './encode.js';

interface Job {
  tokenizer: string;
  texts: unknown[];
  settings: EncodeSettings;
}

const job = workerData as Job;
try {
  const tokenizer = await loadTokenizer(job.tokenizer, { download: false });
  const block = encodeBlock(tokenizer, job.texts, job.settings, (done) => parentPort!.postMessage({ type: 'progress', done }));
  parentPort!.postMessage({ type: 'done', block }, [block.ids.buffer as ArrayBuffer, block.lengths.buffer as ArrayBuffer, block.untruncatedLengths.buffer as ArrayBuffer]);
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: (error as Error).message });
}
