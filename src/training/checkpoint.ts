/**
 * Checkpoints in the Trainer's output folder (the stage's resumeDir), so an interrupted train
 * continues from the last one:
 *
 *   checkpoint-<epoch>/         save_strategy "epoch": at the end of epoch <epoch>
 *   checkpoint-step-<step>/     save_strategy "steps": after optimizer step <step>
 *     model/                    config.json + model.safetensors (saveModel)
 *     optimizer.safetensors     AdamW moments and step (saveOptimizerState)
 *     state.json                the TrainerState (steps, epoch, loss log, best model, history)
 *   latest.json                 {"checkpoint", "epoch", "step"}: written last, so a half-written checkpoint is never used
 *
 * The epoch order and dropout are seeded from (seed, epoch), and the state counts the dropout
 * seeds drawn in the epoch under way, so no RNG state needs saving.
 * Only the latest and the best checkpoints are kept.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import type { AdamW } from '../nn/train/adamw.js';
import { saveModel } from '../nn/checkpoint/save.js';
import { readSafetensors } from '../nn/checkpoint/safetensors.js';
import { toFloat32 } from '../nn/checkpoint/tensor.js';
import { loadOptimizerState, saveOptimizerState } from '../nn/train/optimizer-state.js';
import type { TrainerState } from './state.js';
import { naming, writeFileAtomic } from '../util/fs/index.js';

interface StateFile {
  version: 2;
  /** The arguments and data sizes the run was started with; a checkpoint from others is ignored. */
  paramsKey: string;
  state: TrainerState;
}

/** The folder name of the checkpoint taken now: by epoch at an epoch boundary with save_strategy "epoch", else by step. */
export function checkpointName(state: TrainerState, byEpoch: boolean): string {
  return byEpoch ? `checkpoint-${state.epochs_completed}` : `checkpoint-step-${state.global_step}`;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export async function writeCheckpoint(
  outputDir: string,
  name: string,
  model: BertForSequenceClassification,
  optimizer: AdamW,
  state: TrainerState,
  paramsKey: string,
  keep: ReadonlySet<string>,
): Promise<void> {
  const final = join(outputDir, name);
  const tmp = `${final}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await naming(tmp, () => mkdir(tmp, { recursive: true }));
    await saveModel(model, join(tmp, 'model'));
    await saveOptimizerState(optimizer, join(tmp, 'optimizer.safetensors'));
    const file: StateFile = { version: 2, paramsKey, state };
    await writeFileAtomic(join(tmp, 'state.json'), `${JSON.stringify(file)}\n`);
  } catch (error) {
    // A checkpoint that could not be written completely is not kept (the previous one still is).
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await rm(final, { recursive: true, force: true });
  await naming(final, () => rename(tmp, final));
  await writeJsonAtomic(join(outputDir, 'latest.json'), { checkpoint: name, epoch: state.epochs_completed, step: state.global_step });
  for (const entry of await readdir(outputDir)) {
    if (/^checkpoint-(step-)?\d+$/.test(entry) && !keep.has(entry) && entry !== name) {
      await rm(join(outputDir, entry), { recursive: true, force: true });
    }
  }
}

/** The latest complete checkpoint for these arguments, or undefined. */
export async function readLatestCheckpoint(outputDir: string, paramsKey: string): Promise<{ dir: string; state: TrainerState } | undefined> {
  const latest = join(outputDir, 'latest.json');
  if (!existsSync(latest)) return undefined;
  try {
    const { checkpoint } = JSON.parse(await readFile(latest, 'utf8')) as { checkpoint?: unknown };
    if (typeof checkpoint !== 'string' || !/^checkpoint-(step-)?\d+$/.test(checkpoint)) return undefined;
    const dir = join(outputDir, checkpoint);
    const file = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as StateFile;
    if (file.version !== 2 || file.paramsKey !== paramsKey) return undefined;
    return { dir, state: file.state };
  } catch {
    // A damaged checkpoint only costs the work it held: start over.
    return undefined;
  }
}

/** Puts a checkpoint's weights into the model's variables. */
export async function restoreWeights(model: BertForSequenceClassification, dir: string): Promise<void> {
  const { tensors } = await readSafetensors(join(dir, 'model', 'model.safetensors'));
  for (const [name, variable] of model.params) {
    const raw = tensors.get(name);
    if (!raw) throw new Error(`internal: checkpoint ${dir} lacks ${name}`);
    const value = tf.tensor(toFloat32(raw), variable.shape, 'float32');
    variable.assign(value);
    value.dispose();
  }
}

export async function restoreOptimizer(optimizer: AdamW, dir: string): Promise<void> {
  await loadOptimizerState(optimizer, join(dir, 'optimizer.safetensors'));
}
