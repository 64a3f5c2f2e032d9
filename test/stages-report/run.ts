import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTable, type Row } from '../../src/artifacts/table.js';
import type { Artifact } from '../../src/sdk/index.js';

/** Writes rows as a table artifact in a fresh temp dir and returns it as the engine would hand it over. */
export async function tableArtifact(rows: Row[], labels?: Record<string, string>): Promise<Artifact> {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-table-'));
  await writeTable(dir, rows, labels ? { labels } : {});
  return { kind: 'table', path: dir, hash: 'test', producer: { stageId: 'test', port: 'table' } };
}

export { runStage, type StageRun } from '../helpers/run-stage.js';
