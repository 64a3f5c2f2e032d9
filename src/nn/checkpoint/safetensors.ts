/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {...}}`, then the raw little-endian tensor bytes. No code, no pickle: the safe way to share weights.
 */
import { open, readFile } from 'node:fs/promises';
import { FndError } from '../../util/errors.js';
import { FileSink } from '../../util/fs/index.js';
import { DTYPE_BYTES, numel, type DType, type RawTensor, type StateDict } from './tensor.js';

export interface SafetensorsFile {
  tensors: StateDict;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function failer(file: string): (what: string) => never {
  return (what) => {
    throw new FndError(`cannot read ${file}: ${what}; is it a complete safetensors file?`);
  };
}

/** The JSON header's length from the first 8 bytes, checked against the file's size. */
function headerLength(first8: Uint8Array, fileSize: number, file: string): number {
  const fail = failer(file);
  if (fileSize < 8 || first8.length < 8) fail('the file is shorter than its 8-byte header length');
  const headerLen = Number(new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > fileSize - 8 || headerLen > 100_000_000) fail(`the header length ${headerLen} is impossible`);
  return headerLen;
}

/**
 * Checks a header against the size of the data section that follows it: every dtype known,
 * every shape's byte length equal to its range, and the ranges tiling the data section exactly.
 */
function checkHeader(headerBytes: Uint8Array, dataLen: number, file: string): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  const fail = failer(file);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes)) as Record<string, unknown>;
  } catch (e) {
    return fail(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  let metadata: Record<string, string> = {};
  const ranges: HeaderEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry !== null && (typeof entry !== 'object' || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string'))) {
        fail('__metadata__ must map names to strings');
      }
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e?.dtype as DType;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) fail(`tensor ${name} has unsupported dtype ${JSON.stringify(e?.dtype)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor ${name} has a malformed shape`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor ${name} has malformed data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const size = numel(shape as number[]) * DTYPE_BYTES[dtype];
    if (!Number.isSafeInteger(size)) fail(`tensor ${name}: shape [${(shape as number[]).join(', ')}] is too large`);
    if (end < begin) fail(`tensor ${name}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`tensor ${name}: data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data section`);
    if (end - begin !== size) {
      fail(`tensor ${name}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} [${(shape as number[]).join(', ')}] needs ${size}`);
    }
    ranges.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // As the reference implementation requires: the tensors tile the data section exactly, so no
  // two share bytes (a write to one would change the other) and no bytes hide between them.
  const byOffset = [...ranges].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const r of byOffset) {
    if (r.begin < cursor) {
      const other = byOffset.find((o) => o !== r && o.begin < r.end && r.begin < o.end)!;
      fail(`tensors ${other.name} and ${r.name} overlap (bytes [${Math.max(r.begin, other.begin)}, ${Math.min(r.end, other.end)}) of the data section)`);
    }
    if (r.begin > cursor) fail(`bytes [${cursor}, ${r.begin}) of the data section belong to no tensor (before ${r.name})`);
    cursor = r.end;
  }
  if (cursor !== dataLen) fail(`the data section has ${dataLen} bytes but its tensors end at byte ${cursor}`);
  return { entries: ranges, metadata };
}

export function parseSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const headerLen = headerLength(bytes.subarray(0, 8), bytes.length, file);
  const dataStart = 8 + headerLen;
  const { entries, metadata } = checkHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, file);
  const tensors: StateDict = new Map();
  for (const e of entries) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, bytes: bytes.subarray(dataStart + e.begin, dataStart + e.end) });
  return { tensors, metadata };
}

/** Reads the header first and checks it against the file's size, so a hostile header costs no allocation of the data. */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const first8 = new Uint8Array(8);
    await handle.read(first8, 0, Math.min(8, size), 0);
    const headerLen = headerLength(first8, size, path);
    const headerBytes = new Uint8Array(headerLen);
    await handle.read(headerBytes, 0, headerLen, 8);
    checkHeader(headerBytes, size - 8 - headerLen, path);
  } finally {
    await handle.close();
  }
  const bytes = await readFile(path);
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** The header bytes (length prefix + JSON padded with spaces to 8-byte alignment) for `tensors` in order. */
export function safetensorsHeader(tensors: StateDict, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = numel(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.bytes.length !== size) throw new Error(`internal: tensor ${name} has ${t.bytes.length} bytes, expected ${size}`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + jsonBytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  return out;
}

/** Writes atomically (temp file, fsync, rename), tensors in the map's order. */
export async function writeSafetensors(path: string, tensors: StateDict, metadata: Record<string, string> = {}): Promise<void> {
  const header = safetensorsHeader(tensors, metadata);
  const sink = await FileSink.open(path, { atomic: true });
  await sink.writeAll([header, ...[...tensors.values()].map((t) => t.bytes)]);
}

export type { RawTensor };
