/** The live progress line of a training run: "epoch 2/5 loss 0.231 lr 4.9e-05 12.3 ex/s ETA 3 min 10 s". */
import { formatDuration } from '../format/duration.js';
import { formatNumber } from '../format/number.js';

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
  return `epoch ${f.epoch}/${f.epochs} loss ${f.loss.toFixed(3)} lr ${formatNumber(f.lr, { significant: 2 })} ${rate} ex/s ETA ${formatDuration(f.etaSeconds * 1000)}`;
}
