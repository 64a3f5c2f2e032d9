/** Learning-rate schedules, as Hugging Face's transformers.optimization defines them. */

export type ScheduleName = 'linear' | 'constant';

/**
 * get_linear_schedule_with_warmup's multiplier for optimizer step `step` (0-based): rises
 * linearly from 0 over `warmup` steps, then falls linearly to 0 at `total`. Step 0 gets 0 when
 * warmup > 0, exactly as the Trainer's first update does.
 */
export function linearScheduleWithWarmup(step: number, warmup: number, total: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  return Math.max(0, (total - step) / Math.max(1, total - warmup));
}

/** get_constant_schedule_with_warmup (warmup 0 = get_constant_schedule). */
export function constantScheduleWithWarmup(step: number, warmup: number): number {
  return step < warmup ? step / Math.max(1, warmup) : 1;
}

export function learningRateAt(
  schedule: ScheduleName,
  baseLr: number,
  step: number,
  warmupSteps: number,
  totalSteps: number,
): number {
  const factor = schedule === 'linear' ? linearScheduleWithWarmup(step, warmupSteps, totalSteps) : constantScheduleWithWarmup(step, warmupSteps);
  return baseLr * factor;
}
