/** The live progress line of a training run: "epoch 2/5 loss 0.231 lr 4.9e-05 12.3 ex/s ETA 3m10s". */

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** 4.9e-05 style, as Python prints small learning rates. */
export function formatLearningRate(lr: number): string {
  if (lr === 0) return '0';
  const [mantissa, exponent] = lr.toExponential(1).split('e');
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

export interface ProgressFacts {
  epoch: number;
  epochs: number;
  loss: number;
  lr: number;
  examplesPerSecond: number;
  etaSeconds: number;
}

export function progressMessage(f: ProgressFacts): string {
  const rate = f.examplesPerSecond >= 100 ? f.examplesPerSecond.toFixed(0) : f.examplesPerSecond.toFixed(1);
  return `epoch ${f.epoch}/${f.epochs} loss ${f.loss.toFixed(3)} lr ${formatLearningRate(f.lr)} ${rate} ex/s ETA ${formatDuration(f.etaSeconds)}`;
}
