/**
 * loadModel: a folder in the Hugging Face layout (or a Hub id, through the shared Hub cache) →
 * BertForSequenceClassification, with the load report transformers prints (unused checkpoint
 * tensors, newly initialised parameters).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FndModelError } from '../../util/errors.js';
import { resolveHubFolder, type DownloadProgress } from '../../hub/index.js';
import { createRng } from '../../util/rng.js';
import type { BertConfig } from '../bert/config.js';
import { BertForSequenceClassification, type LoadReport } from '../bert/model.js';
import { paramSpecs } from '../bert/params.js';
import { initParam } from '../bert/init.js';
import { readConfigFile, type LabelOptions } from './config.js';
import { ensureBackend } from '../backend/auto.js';
import { readSafetensors } from './safetensors.js';
import { readTorchBin } from './torch-bin.js';
import { canonicalName, isIgnoredBuffer } from './names.js';
import { isFloat, toFloat32, type StateDict } from './tensor.js';

export interface LoadOptions extends LabelOptions {
  /** Seed for parameters the checkpoint lacks (e.g. the classifier head) and for dropout. Default 0. */
  seed?: number;
  /** For Hub ids: allow downloading (default true unless HF_HUB_OFFLINE=1). */
  download?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
  /** Environment for the Hub cache location and offline switches (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'] as const;

/** The folder holding config.json and a weights file, for a path or a Hub id. */
export async function resolveModelFolder(pathOrId: string, options: LoadOptions = {}): Promise<string> {
  const common = { download: options.download, onProgress: options.onProgress, cwd: options.cwd, env: options.env, what: 'model' };
  let dir = await resolveHubFolder(pathOrId, { ...common, files: ['config.json'], optionalFiles: ['model.safetensors'] });
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new FndModelError(`model path ${dir} is a file; pass the folder holding config.json and model.safetensors or pytorch_model.bin`);
  }
  if (!existsSync(join(dir, 'model.safetensors')) && !existsSync(join(dir, 'pytorch_model.bin'))) {
    dir = await resolveHubFolder(pathOrId, { ...common, files: ['config.json', 'pytorch_model.bin'] });
  }
  return dir;
}

/** Reads the folder's weights: model.safetensors when present, else pytorch_model.bin. */
export async function readWeights(dir: string): Promise<{ file: string; tensors: StateDict }> {
  const st = join(dir, 'model.safetensors');
  if (existsSync(st)) return { file: st, tensors: (await readSafetensors(st)).tensors };
  const bin = join(dir, 'pytorch_model.bin');
  if (existsSync(bin)) {
    const bytes = await readFile(bin);
    return { file: bin, tensors: readTorchBin(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), bin) };
  }
  const sharded = ['model.safetensors.index.json', 'pytorch_model.bin.index.json'].find((f) => existsSync(join(dir, f)));
  throw new FndModelError(
    sharded
      ? `${join(dir, sharded)}: sharded checkpoints are not supported; save the model as one model.safetensors`
      : `no model weights in ${dir}: expected model.safetensors or pytorch_model.bin`,
  );
}

/** Matches checkpoint tensors to the model's parameters; initialises what is missing. */
export function assignWeights(
  config: BertConfig,
  tensors: StateDict,
  file: string,
  seed: number,
): { weights: Map<string, Float32Array>; report: LoadReport } {
  const specs = paramSpecs(config);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const weights = new Map<string, Float32Array>();
  const source = new Map<string, string>();
  const report: LoadReport = { newlyInitialized: [], unused: [], ignored: [] };
  for (const [original, raw] of tensors) {
    const name = canonicalName(original);
    const spec = byName.get(name);
    if (!spec) {
      (isIgnoredBuffer(name) ? report.ignored : report.unused).push(original);
      continue;
    }
    const previous = source.get(name);
    if (previous !== undefined) throw new FndModelError(`${file}: tensors ${previous} and ${original} both map to ${name}`);
    if (raw.shape.length !== spec.shape.length || raw.shape.some((d, i) => d !== spec.shape[i])) {
      const hint = name.startsWith('classifier.') ? ' (the checkpoint has a different number of labels; pass numLabels to match it)' : '';
      throw new FndModelError(
        `${file}: tensor ${original} has shape [${raw.shape.join(', ')}] in the checkpoint but the model expects [${spec.shape.join(', ')}] for ${name}${hint}`,
      );
    }
    if (!isFloat(raw.dtype)) throw new FndModelError(`${file}: tensor ${original} has dtype ${raw.dtype}; a float tensor is expected for ${name}`);
    weights.set(name, toFloat32(raw));
    source.set(name, original);
  }
  const rng = createRng(seed);
  for (const spec of specs) {
    if (weights.has(spec.name)) continue;
    weights.set(spec.name, initParam(spec, config, rng));
    report.newlyInitialized.push(spec.name);
  }
  return { weights, report };
}

/**
 * Loads BertForSequenceClassification from a folder (config.json + model.safetensors or
 * pytorch_model.bin) or a Hub id. `model.loadReport` lists unused and newly initialised tensors.
 */
export async function loadModel(pathOrId: string, options: LoadOptions = {}): Promise<BertForSequenceClassification> {
  // Started here so the synchronous model.forward works on what this returns.
  await ensureBackend();
  const dir = await resolveModelFolder(pathOrId, options);
  const config = await readConfigFile(join(dir, 'config.json'), options);
  const { file, tensors } = await readWeights(dir);
  const seed = options.seed ?? 0;
  const { weights, report } = assignWeights(config, tensors, file, seed);
  const model = new BertForSequenceClassification(config, weights, { dropoutSeed: seed + 1 });
  model.loadReport = report;
  return model;
}
