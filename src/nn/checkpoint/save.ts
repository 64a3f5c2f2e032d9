/**
 * Saving what transformers' save_pretrained writes for the model part: config.json and
 * model.safetensors (F32, Hugging Face names, `{"format": "pt"}` metadata so transformers
 * reads it as PyTorch weights). Tokenizer files come from the tokenizer (options.extraFiles).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BertForSequenceClassification, SaveOptions } from '../bert/model.js';
import { configToJson } from './config.js';
import { writeSafetensors } from './safetensors.js';
import { float32Raw, type StateDict } from './tensor.js';
import { naming, writeFileAtomic } from '../../util/fs/index.js';

export async function saveModel(model: BertForSequenceClassification, dir: string, options: SaveOptions = {}): Promise<void> {
  await naming(dir, () => mkdir(dir, { recursive: true }));
  const tensors: StateDict = new Map();
  for (const spec of model.specs) {
    // dataSync may hand out the backend's own buffer; it is only read here.
    tensors.set(spec.name, float32Raw(model.param(spec.name).dataSync() as Float32Array, spec.shape));
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const configPath = join(dir, 'config.json');
  await writeFileAtomic(configPath, `${JSON.stringify(configToJson(model.config), null, 2)}\n`);
  if (options.extraFiles) await options.extraFiles(dir);
}
