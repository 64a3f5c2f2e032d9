import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeSignature, type SignatureDetails } from '../../src/hash/signature.js';
import type { EntryMetaInput } from '../../src/cache/meta.js';

export async function tempRoot(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'fnd-cache-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function sampleDetails(params: Record<string, unknown> = {}): SignatureDetails {
  return { plugin: 'load-csv', version: '1', code: 'abc', params, inputs: {}, environment: {} };
}

export function signatureOf(params: Record<string, unknown>): string {
  return computeSignature(sampleDetails(params)).value;
}

export function metaInput(params: Record<string, unknown> = {}, extra: Partial<EntryMetaInput> = {}): EntryMetaInput {
  return { stageId: 'load', plugin: 'load-csv', durationMs: 12, details: sampleDetails(params), metrics: { rows: 2 }, ...extra };
}

/** Writes a table output and an export into a work dir the way a stage would. */
export async function writeStageFiles(workDir: string, rows = '{"id":"a:2","text":"x"}\n{"id":"a:3","text":"y"}\n'): Promise<void> {
  await mkdir(join(workDir, 'outputs', 'table'), { recursive: true });
  await writeFile(join(workDir, 'outputs', 'table', 'rows.jsonl'), rows);
  await writeFile(join(workDir, 'outputs', 'table', 'table.json'), '{"columns":["id","text"],"rowCount":2}');
  await mkdir(join(workDir, 'exports'), { recursive: true });
  await writeFile(join(workDir, 'exports', 'report.md'), '# report\n');
}
