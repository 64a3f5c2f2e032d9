import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Device, ProgressUpdate, StageContext } from '../sdk/index.js';
import { createRng } from '../util/rng.js';

/** What a running stage tells the engine; reporters turn these into lines, bars or JSON. */
export type StageEvent =
  | { type: 'log'; level: 'info' | 'warn' | 'debug'; message: string }
  | { type: 'progress'; update: ProgressUpdate };

export interface StageContextOptions {
  stageId: string;
  plugin: string;
  /** A fresh directory owned by this attempt: outputs/, exports/ and scratch/ are made inside it. */
  workDir: string;
  /** Survives interrupted attempts of the same signature (checkpoints to resume from). */
  resumeDir: string;
  specDir: string;
  projectDir: string;
  seed: number;
  device: Device;
  signal: AbortSignal;
  onEvent?: (event: StageEvent) => void;
}

/** Where a stage attempt's outputs for `port` live inside its work directory. */
export function outputPath(workDir: string, port: string): string {
  return join(workDir, 'outputs', port);
}

export function exportPath(workDir: string): string {
  return join(workDir, 'exports');
}

export function createStageContext(options: StageContextOptions): StageContext {
  const emit = options.onEvent ?? (() => {});
  const scratchDir = join(options.workDir, 'scratch');
  const exportDir = exportPath(options.workDir);
  mkdirSync(scratchDir, { recursive: true });
  mkdirSync(exportDir, { recursive: true });
  mkdirSync(options.resumeDir, { recursive: true });
  return {
    stageId: options.stageId,
    plugin: options.plugin,
    device: options.device,
    signal: options.signal,
    projectDir: options.projectDir,
    scratchDir,
    exportDir,
    resumeDir: options.resumeDir,
    rng: createRng(options.seed),
    log: {
      info: (message) => emit({ type: 'log', level: 'info', message }),
      warn: (message) => emit({ type: 'log', level: 'warn', message }),
      debug: (message) => emit({ type: 'log', level: 'debug', message }),
    },
    progress: (update) => emit({ type: 'progress', update }),
    outputDir(port: string): string {
      const dir = outputPath(options.workDir, port);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(options.specDir, path)),
  };
}
