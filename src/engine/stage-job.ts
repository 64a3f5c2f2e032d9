import type { Artifact, Device, StageResult } from '../sdk/index.js';
import type { StageContextOptions, StageEvent } from './context.js';

/** Everything needed to run one stage attempt, in this process or in a worker (so: plain JSON). */
export interface StageJob extends Omit<StageContextOptions, 'signal' | 'onEvent'> {
  pluginEntry: string;
  params: Record<string, unknown>;
  inputs: Record<string, Artifact>;
  /** The backend (and kernels) the stage was signed with; the process running it checks it gets the same. */
  backend?: string;
}

export type WorkerMessage =
  | { type: 'event'; event: StageEvent }
  | { type: 'result'; result: StageResult }
  | { type: 'error'; message: string; userError: boolean; stack?: string }
  | { type: 'device'; device: Device; warning?: string };
