/**
 * AdamW state on disk, for resuming a fine-tuning run: a safetensors file holding
 * `<param>.exp_avg` and `<param>.exp_avg_sq` (torch's names for the moments) with the step count
 * and hyper-parameters in the metadata.
 */
import { FndModelError } from '../../util/errors.js';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { float32Raw, toFloat32, type StateDict } from '../checkpoint/tensor.js';
import type { AdamW } from './adamw.js';

const FORMAT = 'fnd-adamw-1';

export async function saveOptimizerState(optimizer: AdamW, path: string): Promise<void> {
  const { step, moments } = optimizer.state();
  const tensors: StateDict = new Map();
  for (const [name, { m, v }] of moments) {
    tensors.set(`${name}.exp_avg`, float32Raw(m, [m.length]));
    tensors.set(`${name}.exp_avg_sq`, float32Raw(v, [v.length]));
  }
  await writeSafetensors(path, tensors, {
    format: FORMAT,
    step: String(step),
    lr: String(optimizer.lr),
    betas: JSON.stringify(optimizer.betas),
    eps: String(optimizer.eps),
  });
}

/** Restores moments and step count into an optimizer built over the same parameters. */
export async function loadOptimizerState(optimizer: AdamW, path: string): Promise<void> {
  const { tensors, metadata } = await readSafetensors(path);
  if (metadata.format !== FORMAT) throw new FndModelError(`${path}: not an fnd optimizer state (format ${JSON.stringify(metadata.format)})`);
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new FndModelError(`${path}: invalid step ${JSON.stringify(metadata.step)}`);
  const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  for (const entry of optimizer.entries) {
    const m = tensors.get(`${entry.name}.exp_avg`);
    const v = tensors.get(`${entry.name}.exp_avg_sq`);
    if (!m || !v) throw new FndModelError(`${path}: no optimizer state for parameter ${entry.name}; was it saved for a different model?`);
    moments.set(entry.name, { m: toFloat32(m), v: toFloat32(v) });
  }
  try {
    optimizer.setState(step, moments);
  } catch (e) {
    throw new FndModelError(`${path}: ${(e as Error).message}`);
  }
}
