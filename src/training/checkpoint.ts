/**
 * Per-epoch checkpoints in the stage's resumeDir, so an interrupted train continues from the
 * last completed epoch:
 *
 *   checkpoint-<epoch>/model/          config.json + model.safetensors (saveModel)
 *   checkpoint-<epoch>/optimizer.safetensors   AdamW moments (m.<name>, v.<name>) and step
 *   checkpoint-<epoch>/state.json      step, epoch, loss log, best-model state, history
 *   latest.json                        {"epoch": n} — written last, so a half-written checkpoint is never used
 *
 * The epoch order and dropout are seeded from (seed, epoch), so no RNG state needs saving.
 * Only the latest and the best checkpoints are kept.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BertForSequenceClassification } from '../nn/bert/model.js';
import type { AdamW } from '../nn/train/adamw.js';
import { saveModel } from '../nn/checkpoint/save.js';
import { readSafetensors, writeSafetensors } from '../nn/checkpoint/safetensors.js';
import { float32Raw, toFloat32, type StateDict } from '../nn/checkpoint/tensor.js';
import type { BestState } from './best.js';
import type { LossLogState } from './loss-log.js';
import type { EpochRecord } from './history.js';
import type { StepLogEntry } from './loss-log.js';
import { naming, writeFileAtomic } from '../util/fs/index.js';

export interface ResumeState {
  version: 1;
  /** Epochs completed (1-based number of the epoch this checkpoint ends). */
  epoch: number;
  globalStep: number;
  lossLog: LossLogState;
  best: BestState;
  steps: StepLogEntry[];
  epochs: EpochRecord[];
  stoppedEarly: boolean;
  /** The params the run was started with; a checkpoint from other params is ignored. */
  paramsKey: string;
}

export function checkpointDir(resumeDir: string, epoch: number): string {
  return join(resumeDir, `checkpoint-${epoch}`);
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export async function writeCheckpoint(
  resumeDir: string,
  model: BertForSequenceClassification,
  optimizer: AdamW,
  state: ResumeState,
  keep: ReadonlySet<number>,
): Promise<void> {
  const final = checkpointDir(resumeDir, state.epoch);
  const tmp = `${final}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await naming(tmp, () => mkdir(tmp, { recursive: true }));
    await saveModel(model, join(tmp, 'model'));
    const { step, moments } = optimizer.state();
    const tensors: StateDict = new Map();
    for (const [name, { m, v }] of moments) {
      const shape = [m.length];
      tensors.set(`m.${name}`, float32Raw(m, shape));
      tensors.set(`v.${name}`, float32Raw(v, shape));
    }
    await writeSafetensors(join(tmp, 'optimizer.safetensors'), tensors, { step: String(step) });
    await writeFileAtomic(join(tmp, 'state.json'), `${JSON.stringify(state)}\n`);
  } catch (error) {
    // A checkpoint that could not be written completely is not kept (the previous one still is).
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await rm(final, { recursive: true, force: true });
  await naming(final, () => rename(tmp, final));
  await writeJsonAtomic(join(resumeDir, 'latest.json'), { epoch: state.epoch });
  for (const entry of await readdir(resumeDir)) {
    const match = /^checkpoint-(\d+)$/.exec(entry);
    if (match && !keep.has(Number(match[1])) && Number(match[1]) !== state.epoch) {
      await rm(join(resumeDir, entry), { recursive: true, force: true });
    }
  }
}

/** The latest complete checkpoint for these params, or undefined. */
export async function readLatestCheckpoint(resumeDir: string, paramsKey: string): Promise<{ dir: string; state: ResumeState } | undefined> {
  const latest = join(resumeDir, 'latest.json');
  if (!existsSync(latest)) return undefined;
  try {
    const { epoch } = JSON.parse(await readFile(latest, 'utf8')) as { epoch: number };
    const dir = checkpointDir(resumeDir, epoch);
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as ResumeState;
    if (state.version !== 1 || state.paramsKey !== paramsKey || state.epoch !== epoch) return undefined;
    return { dir, state };
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
  const { tensors, metadata } = await readSafetensors(join(dir, 'optimizer.safetensors'));
  const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  for (const entry of optimizer.entries) {
    const m = tensors.get(`m.${entry.name}`);
    const v = tensors.get(`v.${entry.name}`);
    if (!m || !v) throw new Error(`internal: optimizer checkpoint ${dir} lacks ${entry.name}`);
    moments.set(entry.name, { m: toFloat32(m), v: toFloat32(v) });
  }
  optimizer.setState(Number(metadata.step), moments);
}
