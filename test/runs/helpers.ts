import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO, Command } from '../../src/cli/command.js';
import { parseCommandArgs } from '../../src/cli/parse.js';
import { createRunFolder, type RunMetrics, type RunRecord, type RunStatus, type StageRecord } from '../../src/runs/record.js';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'fnd-runs-'));
}

export function makeRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: '20261127-033512-123-demo',
    spec: 'pipelines/demo.yaml',
    specName: 'demo',
    status: 'running',
    startedAt: '2026-11-27T03:35:12.123Z',
    durationMs: 0,
    stages: {},
    params: { split: { seed: 1, ratios: [0.7, 0.15, 0.15] }, train: { learning_rate: 3e-5, epochs: 3 } },
    seed: 42,
    vars: { max_length: 128 },
    environment: { node: 'v20.18.0', fnd: '0.1.0', backend: 'cpu', platform: 'linux-x64', gitCommit: 'abcdef0123456789' },
    ...overrides,
  };
}

export function stage(status: StageRecord['status'], signature: string, durationMs: number, plugin = 'p'): StageRecord {
  return { plugin, status, signature, durationMs };
}

/** Records a finished run the way the engine does: create, update each stage, finish. */
export async function writeRun(
  runsDir: string,
  record: RunRecord,
  metrics: RunMetrics,
  status: Exclude<RunStatus, 'running' | 'crashed'> = 'completed',
): Promise<RunRecord> {
  const writer = await createRunFolder(runsDir, { ...record, stages: {} }, { specSource: 'name: demo\n', resolvedSpecYaml: 'name: demo\nseed: 42\n' });
  for (const [id, stageRecord] of Object.entries(record.stages)) await writer.updateStage(id, stageRecord);
  return writer.finishRun(status, metrics, { durationMs: record.durationMs });
}

export interface CapturedIO {
  io: CliIO;
  stdout: () => string;
  stderr: () => string;
}

export function captureIO(cwd: string): CapturedIO {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (chunk: Buffer) => chunks.out.push(chunk));
  err.on('data', (chunk: Buffer) => chunks.err.push(chunk));
  return {
    io: { stdout: out, stderr: err, stdin: new PassThrough(), cwd, env: {}, isTTY: false },
    stdout: () => Buffer.concat(chunks.out).toString('utf8'),
    stderr: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}

/** Parses argv with the CLI's own parser and runs the command, like `fnd <argv>` would. */
export async function runCommand(command: Command, argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIO(cwd);
  const code = await command.run(parseCommandArgs(command, argv), captured.io);
  // PassThrough delivers 'data' asynchronously; let it drain before reading.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
