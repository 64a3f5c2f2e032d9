/**
 * Saving what transformers' save_pretrained writes for the model part: config.json and
 * model.safetensors (F32, Hugging Face names, `{"format": "pt"}` metadata so transformers
 * reads it as PyTorch weights). Tokenizer files come from the tokenizer (options.extraFiles).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../bert/config.js';
import type { ParamSpec } from '../bert/params.js';
import { configToJson } from './config.js';
import { writeSafetensors } from './safetensors.js';
import { float32Raw, type StateDict } from './tensor.js';
import { naming, writeFileAtomic } from '../../util/fs/index.js';

export interface SaveOptions {
  /** Called with the target directory after the weights and config are written (e.g. tokenizer.saveTo). */
  extraFiles?: (dir: string) => Promise<void> | void;
}

/**
 * What saving reads from a model. Structural, so checkpoint/ needs nothing from bert/model.ts
 * (whose `save` method calls this): the two modules would otherwise import each other.
 */
export interface SavableModel {
  readonly config: BertConfig;
  readonly specs: readonly ParamSpec[];
  param(name: string): tf.Tensor;
}

export async function saveModel(model: SavableModel, dir: string, options: SaveOptions = {}): Promise<void> {
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
