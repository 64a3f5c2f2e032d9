/**
 * A content hash of a tokenizer's files, for cache signatures: the same text through the same
 * tokenizer files gives the same ids, whatever folder or Hub id the files came from.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** sha256 over (file name, sha256 of content) of each file, in the given order. */
export async function hashTokenizerFiles(files: readonly string[]): Promise<string> {
  const outer = createHash('sha256');
  for (const file of files) {
    const inner = createHash('sha256').update(await readFile(file)).digest('hex');
    outer.update(`${basename(file)}\0${inner}\n`);
  }
  return outer.digest('hex');
}
