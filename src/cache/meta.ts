import { join } from 'node:path';
import type { HashedFile } from '../hash/files.js';
import type { SignatureDetails } from '../hash/signature.js';
import type { MetricValue } from '../sdk/index.js';
import { FndError } from '../util/errors.js';

export const META_FILE = 'meta.json';
export const MARKER_FILE = 'COMMITTED';
export const META_FORMAT = 1;

/** What the engine knows about a finished stage attempt when it commits it. */
export interface EntryMetaInput {
  stageId: string;
  plugin: string;
  durationMs: number;
  details: SignatureDetails;
  metrics?: Record<string, MetricValue>;
  summary?: string;
  /** ISO time; defaults to now. */
  createdAt?: string;
}

export interface OutputMeta {
  /** hashDirectory(outputs/<port>).hash: the content hash downstream signatures use. */
  hash: string;
  files: number;
  bytes: number;
}

/** meta.json of a committed entry. */
export interface EntryMeta {
  format: number;
  signature: string;
  stageId: string;
  plugin: string;
  durationMs: number;
  createdAt: string;
  details: SignatureDetails;
  metrics: Record<string, MetricValue>;
  summary?: string;
  outputs: Record<string, OutputMeta>;
  /** Every file of the entry except meta.json and COMMITTED, relative to the entry dir (`outputs/table/rows.jsonl`). */
  files: HashedFile[];
  /** Total size of `files`. */
  bytes: number;
}

/** Contents of the COMMITTED marker: ties the marker to the exact meta.json it was written after. */
export interface CommitMarker {
  signature: string;
  metaSha256: string;
}

export interface CacheEntry {
  signature: string;
  dir: string;
  meta: EntryMeta;
  /** Directory of an output port's files. Throws for a port the entry does not have. */
  outputDir(port: string): string;
  /** Directory of the stage's exports (reports, plots); may be empty. */
  exportsDir: string;
  /** Content hash of an output port. Throws for a port the entry does not have. */
  outputHash(port: string): string;
}

export function makeEntry(signature: string, dir: string, meta: EntryMeta): CacheEntry {
  const port = (name: string): OutputMeta => {
    const output = Object.hasOwn(meta.outputs, name) ? meta.outputs[name] : undefined;
    if (!output) {
      const known = Object.keys(meta.outputs).join(', ') || 'none';
      throw new FndError(`stage "${meta.stageId}" (cache entry ${signature.slice(0, 12)}) has no output "${name}" (it has: ${known})`);
    }
    return output;
  };
  return {
    signature,
    dir,
    meta,
    exportsDir: join(dir, 'exports'),
    outputDir: (name) => (port(name), join(dir, 'outputs', name)),
    outputHash: (name) => port(name).hash,
  };
}

/** Checks the shape of a parsed meta.json; returns a reason when it is not one this version wrote. */
export function metaProblem(value: unknown, signature: string): string | undefined {
  if (typeof value !== 'object' || value === null) return 'meta.json is not an object';
  const meta = value as Partial<EntryMeta>;
  if (meta.format !== META_FORMAT) return `meta.json has format ${String(meta.format)}, expected ${META_FORMAT}`;
  if (meta.signature !== signature) return `meta.json belongs to signature ${String(meta.signature)}`;
  if (typeof meta.stageId !== 'string' || typeof meta.plugin !== 'string') return 'meta.json lacks stageId or plugin';
  if (typeof meta.outputs !== 'object' || meta.outputs === null) return 'meta.json lacks outputs';
  if (!Array.isArray(meta.files)) return 'meta.json lacks the file list';
  for (const file of meta.files as unknown[]) {
    const f = file as Partial<HashedFile>;
    if (typeof f?.path !== 'string' || typeof f.size !== 'number' || typeof f.sha256 !== 'string') {
      return 'meta.json has a malformed file record';
    }
    if (f.path.split('/').some((part) => part === '..' || part === '') || f.path.startsWith('/')) {
      return `meta.json names a path outside the entry: ${f.path}`;
    }
  }
  return undefined;
}
