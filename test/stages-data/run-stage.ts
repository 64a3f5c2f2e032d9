import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { createStageContext, outputPath, type StageEvent } from '../../src/engine/context.js';
import type { Artifact, ArtifactKind, StageDefinition, StageResult } from '../../src/sdk/index.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(REPO, 'test/fixtures/isot-mini');

/** An input artifact as the engine would hand it over (hash and producer are not used by these stages). */
export function tableArtifact(path: string, kind: ArtifactKind = 'table'): Artifact {
  return { kind, path, hash: 'test', producer: { stageId: 'test', port: 'table' } };
}

export interface StageRun {
  result: StageResult;
  /** Output port → directory the stage wrote. */
  outputs: Record<string, Artifact>;
  events: StageEvent[];
}

/**
 * Runs a stage for real on a fresh temp dir: params get the schema's defaults applied (as the
 * engine does) and are validated, so a test also checks the schema accepts what it passes.
 */
export async function runStage<P>(
  stage: StageDefinition<P>,
  params: Record<string, unknown>,
  inputs: Record<string, Artifact> = {},
  options: { seed?: number; specDir?: string } = {},
): Promise<StageRun> {
  const workDir = mkdtempSync(join(tmpdir(), `fnd-${stage.name}-`));
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, validateFormats: false });
  const withDefaults = structuredClone(params);
  if (options.seed !== undefined && (stage.params.properties as Record<string, unknown> | undefined)?.seed && withDefaults.seed === undefined) {
    withDefaults.seed = options.seed;
  }
  const validate = ajv.compile(stage.params);
  if (!validate(withDefaults)) throw new Error(`params rejected: ${ajv.errorsText(validate.errors)}`);
  const events: StageEvent[] = [];
  const ctx = createStageContext({
    stageId: stage.name,
    plugin: stage.name,
    workDir,
    resumeDir: join(workDir, 'resume'),
    specDir: options.specDir ?? FIXTURES,
    projectDir: REPO,
    seed: typeof withDefaults.seed === 'number' ? withDefaults.seed : (options.seed ?? 0),
    device: 'cpu',
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
  });
  const result = (await stage.run(ctx, inputs, withDefaults as P)) ?? {};
  const outputs: Record<string, Artifact> = {};
  for (const [port, spec] of Object.entries(stage.outputs)) {
    outputs[port] = { kind: spec.kind, path: outputPath(workDir, port), hash: 'test', producer: { stageId: stage.name, port } };
  }
  return { result, outputs, events };
}

/** Writes `rows` as a table artifact in a fresh temp dir, to feed a stage's input. */
export async function tableOf(rows: Array<Record<string, unknown>>, labels?: Record<string, string>): Promise<Artifact> {
  const { writeTable } = await import('../../src/artifacts/table.js');
  const dir = mkdtempSync(join(tmpdir(), 'fnd-input-'));
  await writeTable(dir, rows, labels ? { labels } : {});
  return tableArtifact(dir);
}
