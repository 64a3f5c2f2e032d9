import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../hash/canonical.js';
import type { SignatureDetails } from '../hash/signature.js';
import { writeFileAtomic } from './atomic.js';

/** What a stage of a spec last ran (or was restored) with: `fnd status` explains staleness against it. */
export interface LastRun {
  specKey: string;
  stageId: string;
  signature: string;
  details: SignatureDetails;
  recordedAt: string;
}

/**
 * One file per (spec, stage), so two runs of one spec updating different stages never overwrite
 * each other's records. The spec key (usually its project-relative path) is hashed into a safe name.
 */
export function historyFile(historyDir: string, specKey: string, stageId: string): string {
  return join(historyDir, sha256(specKey).slice(0, 16), `${encodeURIComponent(stageId)}.json`);
}

export async function recordLast(
  historyDir: string,
  specKey: string,
  stageId: string,
  details: SignatureDetails,
  signature: string,
): Promise<void> {
  const path = historyFile(historyDir, specKey, stageId);
  // A cached re-run records what is already there: no write (and no fsync) on the fully cached path.
  if ((await readLast(historyDir, specKey, stageId))?.signature === signature) return;
  await mkdir(join(path, '..'), { recursive: true });
  const record: LastRun = { specKey, stageId, signature, details, recordedAt: new Date().toISOString() };
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** The last record, or undefined when the stage never ran (or its record is unreadable: then it counts as never run). */
export async function readLast(historyDir: string, specKey: string, stageId: string): Promise<LastRun | undefined> {
  let text: string;
  try {
    text = await readFile(historyFile(historyDir, specKey, stageId), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as LastRun;
    return record.specKey === specKey && record.stageId === stageId && typeof record.signature === 'string'
      ? record
      : undefined;
  } catch {
    return undefined;
  }
}
