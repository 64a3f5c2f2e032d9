import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, ArtifactKind, StageDefinition } from '../../src/sdk/index.js';
import { REPO, runStage as runStageIn, type RunStageOptions, type StageRun } from '../helpers/run-stage.js';

export { REPO, type StageRun };
export const FIXTURES = join(REPO, 'test/fixtures/isot-mini');

/** An input artifact as the engine would hand it over (hash and producer are not used by these stages). */
export function tableArtifact(path: string, kind: ArtifactKind = 'table'): Artifact {
  return { kind, path, hash: 'test', producer: { stageId: 'test', port: 'table' } };
}

/** Runs a stage for real; paths in params resolve against the isot-mini fixtures by default. */
export function runStage<P>(
  stage: StageDefinition<P>,
  params: Record<string, unknown>,
  inputs: Record<string, Artifact> = {},
  options: RunStageOptions = {},
): Promise<StageRun> {
  return runStageIn(stage, params, inputs, { specDir: FIXTURES, projectDir: REPO, ...options });
}

/** Writes `rows` as a table artifact in a fresh temp dir, to feed a stage's input. */
export async function tableOf(rows: Array<Record<string, unknown>>, labels?: Record<string, string>): Promise<Artifact> {
  const { writeTable } = await import('../../src/artifacts/table.js');
  const dir = mkdtempSync(join(tmpdir(), 'fnd-input-'));
  await writeTable(dir, rows, labels ? { labels } : {});
  return tableArtifact(dir);
}
