import type { Artifact, Device, StageResult } from '../sdk/index.js';

/** Everything needed to run one stage attempt, in this process or in a worker (so: plain JSON). */
export interface StageJob {
  stageId: string;
  plugin: string;
  pluginEntry: string;
  params: Record<string, unknown>;
  inputs: Record<string, Artifact>;
  workDir: string;
  resumeDir: string;
  specDir: string;
  projectDir: string;
  seed: number;
  device: Device;
}

export type WorkerMessage =
  | { type: 'event'; event: import('./context.js').StageEvent }
  | { type: 'result'; result: StageResult }
  | { type: 'error'; message: string; userError: boolean; stack?: string }
  | { type: 'device'; device: Device; warning?: string };
