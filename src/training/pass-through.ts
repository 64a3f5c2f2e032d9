/**
 * Files of a model folder that are neither weights nor config but travel with the model:
 * `fnd.json` (the text preparation, written by the save stage's helper) and the tokenizer files
 * that save_pretrained writes next to the model. Copied unchanged from input to output models.
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { naming } from '../util/fs/index.js';
import { join } from 'node:path';

export const PASS_THROUGH_FILES = ['fnd.json', 'vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Copies those of PASS_THROUGH_FILES that `from` holds; returns their names. */
export async function copyPassThroughFiles(from: string, to: string): Promise<string[]> {
  const copied: string[] = [];
  for (const file of PASS_THROUGH_FILES) {
    if (existsSync(join(from, file))) {
      await naming(join(to, file), () => copyFile(join(from, file), join(to, file)));
      copied.push(file);
    }
  }
  return copied;
}
