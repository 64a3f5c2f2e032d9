/**
 * The `tokens` artifact: token ids as raw little-endian integers with a small JSON header.
 *
 *   header.json    { format, version, count, maxLength, padding, layout, dtype, vocabSize, padId, hasLabels, labels?, tokenizer }
 *   ids.bin        layout "padded": count × maxLength ids; layout "ragged": the rows' ids concatenated
 *   lengths.bin    Int32 true length of each row (special tokens included); the attention mask is derived from it
 *   labels.bin     Int32 label of each row, -1 when the row has none
 *   row-ids.jsonl  the table row `id` of each example (one JSON string a line), to join predictions back
 *
 * Ragged rows (padding none/longest) keep the true lengths so training can pad each batch to
 * its own longest row; offsets are the running sum of the lengths.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FndError } from '../util/errors.js';
import { FileSink, naming, writeFileChunks } from '../util/fs/index.js';

export type TokensPadding = 'max_length' | 'longest' | 'none';
export type TokensDtype = 'int32' | 'uint16';

export interface TokensHeader {
  format: 'fnd-tokens';
  version: 1;
  count: number;
  maxLength: number;
  padding: TokensPadding;
  layout: 'padded' | 'ragged';
  dtype: TokensDtype;
  vocabSize: number;
  padId: number;
  hasLabels: boolean;
  /** Label id (string key) → name, e.g. {"0": "fake", "1": "real"}. */
  labels?: Record<string, string>;
  /** What produced the ids (source, vocab size, casing, special ids, files hash...). */
  tokenizer: Record<string, unknown>;
  /** Sum of the lengths: the number of real tokens. */
  totalTokens: number;
}

export interface TokensMeta {
  maxLength: number;
  padding: TokensPadding;
  vocabSize: number;
  padId: number;
  labels?: Record<string, string>;
  tokenizer: Record<string, unknown>;
  /** Default: uint16 when every id fits (vocabSize <= 65536), else int32. */
  dtype?: TokensDtype;
}

export interface TokensRow {
  /** Unpadded ids (already truncated, special tokens included). */
  ids: ArrayLike<number>;
  /** -1, null or undefined: no label. */
  label?: number | null;
  rowId: string;
}

export interface TokensBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  labels: Int32Array;
  /** Columns per row (the padded length). */
  length: number;
}

const FILES = { header: 'header.json', ids: 'ids.bin', lengths: 'lengths.bin', labels: 'labels.bin', rowIds: 'row-ids.jsonl' };

/** Streams rows into a tokens directory: memory stays bounded for any number of rows. */
export class TokensWriter {
  private readonly ids: FileSink;
  private readonly lengths: number[] = [];
  private readonly labelValues: number[] = [];
  private readonly rowIds: string[] = [];
  private readonly layout: 'padded' | 'ragged';
  private readonly dtype: TokensDtype;
  private totalTokens = 0;

  private constructor(
    private readonly dir: string,
    private readonly meta: TokensMeta,
    ids: FileSink,
  ) {
    this.layout = meta.padding === 'max_length' ? 'padded' : 'ragged';
    this.dtype = meta.dtype ?? (meta.vocabSize <= 65536 ? 'uint16' : 'int32');
    this.ids = ids;
  }

  static async create(dir: string, meta: TokensMeta): Promise<TokensWriter> {
    await naming(dir, () => mkdir(dir, { recursive: true }));
    return new TokensWriter(dir, meta, await FileSink.open(join(dir, FILES.ids)));
  }

  /** Stops writing and removes ids.bin (call when the rows cannot be completed). */
  abort(): Promise<void> {
    return this.ids.abort();
  }

  async add(row: TokensRow): Promise<void> {
    const { ids } = row;
    const width = this.layout === 'padded' ? this.meta.maxLength : ids.length;
    if (ids.length > width) {
      throw new FndError(`tokens: row ${row.rowId} has ${ids.length} ids, more than max_length ${this.meta.maxLength}`);
    }
    const values = this.dtype === 'uint16' ? new Uint16Array(width) : new Int32Array(width);
    if (this.layout === 'padded' && this.meta.padId !== 0) values.fill(this.meta.padId);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.meta.vocabSize) {
        throw new FndError(`tokens: row ${row.rowId} has id ${id}, outside the vocabulary (size ${this.meta.vocabSize})`);
      }
      values[i] = id;
    }
    this.lengths.push(ids.length);
    this.labelValues.push(row.label ?? -1);
    this.rowIds.push(row.rowId);
    this.totalTokens += ids.length;
    // Typed arrays are little-endian on every platform Node supports (x64, arm64).
    await this.ids.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  async close(): Promise<TokensHeader> {
    await this.ids.close();
    const header: TokensHeader = {
      format: 'fnd-tokens',
      version: 1,
      count: this.lengths.length,
      maxLength: this.meta.maxLength,
      padding: this.meta.padding,
      layout: this.layout,
      dtype: this.dtype,
      vocabSize: this.meta.vocabSize,
      padId: this.meta.padId,
      hasLabels: this.labelValues.some((label) => label >= 0),
      ...(this.meta.labels ? { labels: this.meta.labels } : {}),
      tokenizer: this.meta.tokenizer,
      totalTokens: this.totalTokens,
    };
    const bytes = (values: Int32Array) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    await writeFileChunks(join(this.dir, FILES.lengths), [bytes(Int32Array.from(this.lengths))]);
    await writeFileChunks(join(this.dir, FILES.labels), [bytes(Int32Array.from(this.labelValues))]);
    await writeFileChunks(join(this.dir, FILES.rowIds), this.rowIds.map((id) => JSON.stringify(id) + '\n'));
    // Header last: a directory without it is incomplete.
    await writeFileChunks(join(this.dir, FILES.header), [JSON.stringify(header, null, 2) + '\n']);
    return header;
  }
}

/** Writes all `rows` to `dir` and returns the header. */
export async function writeTokens(dir: string, meta: TokensMeta, rows: Iterable<TokensRow> | AsyncIterable<TokensRow>): Promise<TokensHeader> {
  const writer = await TokensWriter.create(dir, meta);
  try {
    for await (const row of rows) await writer.add(row);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}

export interface TokensArtifact {
  header: TokensHeader;
  count: number;
  lengths: Int32Array;
  labels: Int32Array;
  rowIds: string[];
  /** Unpadded ids of row `index`. */
  ids(index: number): Int32Array;
  /**
   * A padded batch of the rows at `indices`. `padTo`: a width, or 'longest' (the longest row of
   * the batch: dynamic padding). Default: max_length for padded artifacts, 'longest' for ragged.
   */
  batch(indices: readonly number[], padTo?: number | 'longest'): TokensBatch;
}

async function readBinary(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (error) {
    throw new FndError(`tokens ${dir}: cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Copies into a fresh, aligned buffer (a Buffer's offset may not suit an Int32Array view). */
function int32s(buffer: Buffer): Int32Array {
  const out = new Int32Array(buffer.byteLength >> 2);
  new Uint8Array(out.buffer).set(buffer.subarray(0, out.byteLength));
  return out;
}

/** Reads `header.json` only (count, lengths, class names...), without the ids. */
export async function readTokensHeader(dir: string): Promise<TokensHeader> {
  const headerPath = join(dir, FILES.header);
  let header: TokensHeader;
  try {
    header = JSON.parse((await readBinary(dir, FILES.header)).toString('utf8')) as TokensHeader;
  } catch (error) {
    if (error instanceof FndError) throw error;
    throw new FndError('corrupt tokens header (not valid JSON)', { location: { file: headerPath } });
  }
  if (header.format !== 'fnd-tokens' || typeof header.count !== 'number') {
    throw new FndError('not a tokens header (expected format "fnd-tokens")', { location: { file: headerPath } });
  }
  return header;
}

export async function readTokens(dir: string): Promise<TokensArtifact> {
  const header = await readTokensHeader(dir);
  const lengths = int32s(await readBinary(dir, FILES.lengths));
  const labels = int32s(await readBinary(dir, FILES.labels));
  const rowIds = (await readBinary(dir, FILES.rowIds)).toString('utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as string);
  const raw = await readBinary(dir, FILES.ids);
  const idBytes = header.dtype === 'uint16' ? 2 : 4;
  const ids = header.dtype === 'uint16' ? new Uint16Array(raw.byteLength / 2) : new Int32Array(raw.byteLength / 4);
  new Uint8Array(ids.buffer).set(raw.subarray(0, ids.byteLength));
  const offsets = new Float64Array(header.count + 1);
  for (let i = 0; i < header.count; i++) {
    offsets[i + 1] = offsets[i]! + (header.layout === 'padded' ? header.maxLength : lengths[i]!);
  }
  const expectedIds = offsets[header.count]!;
  if (lengths.length !== header.count || labels.length !== header.count || rowIds.length !== header.count || raw.byteLength !== expectedIds * idBytes) {
    throw new FndError(
      `tokens ${dir} is corrupt: header says ${header.count} rows, found ${lengths.length} lengths, ${labels.length} labels, ` +
        `${rowIds.length} row ids and ${raw.byteLength / idBytes} ids (expected ${expectedIds})`,
    );
  }
  const rowIds_ = (index: number): Int32Array => {
    if (!Number.isInteger(index) || index < 0 || index >= header.count) {
      throw new FndError(`tokens: row index ${index} out of range (0..${header.count - 1})`);
    }
    return Int32Array.from(ids.subarray(offsets[index]!, offsets[index]! + lengths[index]!));
  };
  return {
    header,
    count: header.count,
    lengths,
    labels,
    rowIds,
    ids: rowIds_,
    batch(indices, padTo) {
      const target = padTo ?? (header.layout === 'padded' ? header.maxLength : 'longest');
      let width = 0;
      for (const index of indices) width = Math.max(width, lengths[index] ?? 0);
      if (typeof target === 'number') {
        if (target < width) throw new FndError(`tokens: cannot pad to ${target}, a row of the batch has ${width} tokens`);
        width = target;
      }
      const n = indices.length;
      const inputIds = new Int32Array(n * width).fill(header.padId);
      const attentionMask = new Int32Array(n * width);
      const batchLabels = new Int32Array(n);
      indices.forEach((index, row) => {
        const rowIds = rowIds_(index);
        inputIds.set(rowIds, row * width);
        attentionMask.fill(1, row * width, row * width + rowIds.length);
        batchLabels[row] = labels[index]!;
      });
      return { inputIds, attentionMask, tokenTypeIds: new Int32Array(n * width), labels: batchLabels, length: width };
    },
  };
}
