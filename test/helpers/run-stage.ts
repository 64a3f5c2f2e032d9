import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { createStageContext, exportPath, outputPath, type StageEvent } from '../../src/engine/context.js';
import type { Artifact, ArtifactKind, StageDefinition, StageResult } from '../../src/sdk/index.js';

export const REPO = resolve(import.meta.dirname, '../..');

/** An artifact as the engine would hand it over (hash and producer are not read by stages). */
export function artifactAt(path: string, kind: ArtifactKind, port = kind as string): Artifact {
  return { kind, path, hash: 'test', producer: { stageId: 'test', port } };
}

export interface RunStageOptions {
  /** The spec's seed: given to a stage whose schema has a `seed` param the test did not set. */
  seed?: number;
  specDir?: string;
  projectDir?: string;
  resumeDir?: string;
  signal?: AbortSignal;
  onEvent?: (event: StageEvent) => void;
}

export interface StageRun {
  result: StageResult;
  /** Output port → the directory the stage wrote, as an artifact for the next stage. */
  outputs: Record<string, Artifact>;
  outputDir(port: string): string;
  exportDir: string;
  events: StageEvent[];
  workDir: string;
}

/**
 * Runs a stage for real on a fresh temp dir, as the engine would: params get the schema's
 * defaults and are validated (so a test also checks the schema accepts what it passes).
 */
export async function runStage<P>(
  stage: StageDefinition<P>,
  params: Record<string, unknown>,
  inputs: Record<string, Artifact> = {},
  options: RunStageOptions = {},
): Promise<StageRun> {
  const workDir = mkdtempSync(join(tmpdir(), `fnd-${stage.name}-`));
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, validateFormats: false });
  const withDefaults = structuredClone(params);
  const hasSeed = Boolean((stage.params.properties as Record<string, unknown> | undefined)?.seed);
  if (options.seed !== undefined && hasSeed && withDefaults.seed === undefined) withDefaults.seed = options.seed;
  const validate = ajv.compile(stage.params);
  if (!validate(withDefaults)) throw new Error(`params rejected: ${ajv.errorsText(validate.errors)}`);
  const events: StageEvent[] = [];
  const ctx = createStageContext({
    stageId: stage.name,
    plugin: stage.name,
    workDir,
    resumeDir: options.resumeDir ?? join(workDir, 'resume'),
    specDir: options.specDir ?? workDir,
    projectDir: options.projectDir ?? workDir,
    seed: typeof withDefaults.seed === 'number' ? withDefaults.seed : (options.seed ?? 0),
    device: 'cpu',
    signal: options.signal ?? new AbortController().signal,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  const result = (await stage.run(ctx, inputs, withDefaults as P)) ?? {};
  const outputs: Record<string, Artifact> = {};
  for (const [port, spec] of Object.entries(stage.outputs)) {
    outputs[port] = { kind: spec.kind, path: outputPath(workDir, port), hash: 'test', producer: { stageId: stage.name, port } };
  }
  return { result, outputs, outputDir: (port) => outputPath(workDir, port), exportDir: exportPath(workDir), events, workDir };
}
