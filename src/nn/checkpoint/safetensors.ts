/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {...}}`, then the raw little-endian tensor bytes. No code, no pickle: the safe way to share weights.
 */
import { readFile } from 'node:fs/promises';
import { FndError } from '../../util/errors.js';
import { FileSink } from '../../util/fs/index.js';
import { DTYPE_BYTES, numel, type DType, type RawTensor, type StateDict } from './tensor.js';

export interface SafetensorsFile {
  tensors: StateDict;
  metadata: Record<string, string>;
}

export function parseSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const fail = (what: string): never => {
    throw new FndError(`cannot read ${file}: ${what}; is it a complete safetensors file?`);
  };
  if (bytes.length < 8) fail('the file is shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.length - 8 || headerLen > 100_000_000) fail(`the header length ${headerLen} is impossible`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<string, unknown>;
  } catch (e) {
    return fail(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors: StateDict = new Map();
  let metadata: Record<string, string> = {};
  const ranges: { name: string; begin: number; end: number }[] = [];
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
    ranges.push({ name, begin, end });
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
  for (const r of ranges) {
    const e = header[r.name] as { dtype: DType; shape: number[] };
    tensors.set(r.name, { dtype: e.dtype, shape: e.shape, bytes: bytes.subarray(dataStart + r.begin, dataStart + r.end) });
  }
  return { tensors, metadata };
}

export async function readSafetensors(path: string): Promise<SafetensorsFile> {
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
