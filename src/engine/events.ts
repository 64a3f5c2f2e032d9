import type { Device, ProgressUpdate } from '../sdk/index.js';

import type { FinishedRunStatus, StageStatus } from '../runs/record.js';

/** The run record's types are the only definitions of a stage's and a run's status. */
export type StageOutcome = StageStatus;

/** The engine's lifecycle, as reporters (listr2, plain lines, JSON lines) observe it. */
export type EngineEvent =
  | { type: 'run-start'; runId: string; spec: string; stages: { id: string; plugin: string }[] }
  | { type: 'stage-start'; stageId: string; plugin: string; device: Device; reason: string }
  | { type: 'stage-log'; stageId: string; level: 'info' | 'warn' | 'debug'; message: string }
  | { type: 'stage-progress'; stageId: string; update: ProgressUpdate }
  | {
      type: 'stage-end';
      stageId: string;
      status: StageOutcome;
      durationMs: number;
      summary?: string;
      error?: string;
      reason?: string;
    }
  | { type: 'warning'; message: string; stageId?: string }
  | { type: 'run-end'; runId: string; status: FinishedRunStatus; durationMs: number; runDir: string };

export interface Reporter {
  onEvent(event: EngineEvent): void;
  /** Flushes the renderer; called once after run-end. */
  close(): Promise<void>;
}
