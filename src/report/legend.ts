/**
 * Names that tell the runs of a sweep apart in legends and column headers: only the params that
 * vary, each by its last path segment (abbreviated when the Trainer's name is long), the stage
 * kept when two varying params end alike. `stages.train.with.learning_rate` → `lr`.
 */
import { formatValue } from '../format/number.js';

/** Long Hugging Face Trainer names, as people write them in notes. */
const ABBREVIATIONS: Record<string, string> = {
  learning_rate: 'lr',
  num_train_epochs: 'epochs',
  per_device_train_batch_size: 'batch',
  per_device_eval_batch_size: 'eval_batch',
  gradient_accumulation_steps: 'accum',
  weight_decay: 'wd',
  warmup_steps: 'warmup',
  warmup_ratio: 'warmup',
  max_length: 'max_len',
  early_stopping_patience: 'patience',
  max_grad_norm: 'clip',
};

/** The segments of a param path that name it, without the `stages.` / `.with.` / `vars.` plumbing. */
function segments(path: string): string[] {
  return path.split('.').filter((part, i, all) => !(i === 0 && (part === 'stages' || part === 'vars')) && !(part === 'with' && i > 0 && i < all.length - 1));
}

function abbreviate(name: string): string {
  return ABBREVIATIONS[name] ?? name;
}

/** Short names for a set of param paths, unique among them: the last segment, or stage.segment where two clash. */
export function shortParamNames(paths: readonly string[]): Map<string, string> {
  const last = (path: string) => abbreviate(segments(path).at(-1) ?? path);
  const count = new Map<string, number>();
  for (const path of paths) count.set(last(path), (count.get(last(path)) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const path of paths) {
    const parts = segments(path);
    const short = last(path);
    names.set(path, (count.get(short) ?? 0) > 1 && parts.length > 1 ? [...parts.slice(0, -1), short].join('.') : short);
  }
  return names;
}

/** `lr=2e-05 seed=1`: a run's values of the varying params; `fallback` (its variant or id) when nothing varies. */
export function runLegend(varying: readonly string[], params: ReadonlyMap<string, unknown>, fallback: string): string {
  if (varying.length === 0) return fallback;
  const names = shortParamNames(varying);
  return varying.map((path) => `${names.get(path)}=${formatValue(params.get(path))}`).join(' ');
}
