export { formatDuration } from '../../format/duration.js';
import type { ProgressUpdate } from '../../sdk/index.js';

export function formatProgress(update: ProgressUpdate): string {
  const unit = update.unit ? ` ${update.unit}` : '';
  const count = update.total ? `${update.current}/${update.total}${unit} (${((100 * update.current) / update.total).toFixed(0)}%)` : `${update.current}${unit}`;
  return update.message ? `${count} ${update.message}` : count;
}
