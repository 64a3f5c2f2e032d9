import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { createStageContext, exportPath, outputPath, type StageEvent } from '../../src/engine/context.js';
import { writeTable, type Row } from '../../src/artifacts/table.js';
import type { Artifact, StageDefinition, StageResult } from '../../src/sdk/index.js';

/** Writes rows as a table artifact in a fresh temp dir and returns it as the engine would hand it over. */
export async function tableArtifact(rows: Row[], labels?: Record<string, string>): Promise<Artifact> {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-table-'));
  await writeTable(dir, rows, labels ? { labels } : {});
  return { kind: 'table', path: dir, hash: 'test', producer: { stageId: 'test', port: 'table' } };
}

export interface StageRun {
  result: StageResult;
  outputDir: (port: string) => string;
  exportDir: string;
  events: StageEvent[];
}

/** Runs a stage for real through createStageContext; params get schema defaults and are validated, as the engine does. */
export async function runStage<P>(stage: StageDefinition<P>, params: Record<string, unknown>, inputs: Record<string, Artifact>): Promise<StageRun> {
  const workDir = mkdtempSync(join(tmpdir(), `fnd-${stage.name}-`));
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const withDefaults = structuredClone(params);
  const validate = ajv.compile(stage.params);
  if (!validate(withDefaults)) throw new Error(`params rejected: ${ajv.errorsText(validate.errors)}`);
  const events: StageEvent[] = [];
  const ctx = createStageContext({
    stageId: stage.name,
    plugin: stage.name,
    workDir,
    resumeDir: join(workDir, 'resume'),
    specDir: workDir,
    projectDir: workDir,
    seed: 0,
    device: 'cpu',
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
  });
  const result = (await stage.run(ctx, inputs, withDefaults as P)) ?? {};
  return { result, outputDir: (port) => outputPath(workDir, port), exportDir: exportPath(workDir), events };
}
