import type { ProgressUpdate } from '../../sdk/index.js';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatProgress(update: ProgressUpdate): string {
  const unit = update.unit ? ` ${update.unit}` : '';
  const count = update.total ? `${update.current}/${update.total}${unit} (${((100 * update.current) / update.total).toFixed(0)}%)` : `${update.current}${unit}`;
  return update.message ? `${count} ${update.message}` : count;
}
