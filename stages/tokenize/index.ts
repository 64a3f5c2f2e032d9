/**
 * tokenize: a table's text column → token ids (the notebook's `tokenize-512` is this stage with
 * max_length 512), written as the compact binary `tokens` artifact.
 *
 * Cache: the params name the tokenizer only by path or id, so the stage's `fingerprint` folds the
 * tokenizer files' content into its signature.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../../src/util/fs/index.js';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { defineStage, StageUserError, type Inspection, type StageContext } from '../../src/sdk/index.js';
import { readRows, readTableInfo } from '../../src/artifacts/table.js';
import { TokensWriter } from '../../src/artifacts/tokens.js';
import type { Padding } from '../../src/text/tokenizer.js';
import { hashTokenizerFiles } from '../../src/text/tokenizer/fingerprint.js';
import { tokenizerFiles } from '../../src/text/tokenizer/load.js';
import { encodeBlock, type EncodedBlock } from './encode.js';
import { encodeInWorkers } from './parallel.js';

export interface TokenizeParams {
  tokenizer: string;
  max_length: number;
  truncation: boolean;
  padding: Padding;
  text_field: string;
  label_field: string;
}

/** Above this many rows, worker threads pay for their start-up (about 0.3 s each). */
const PARALLEL_THRESHOLD = 2000;

/** A relative path param is relative to the spec; anything that is not a file there is a Hub id. */
function tokenizerLocation(ctx: Pick<StageContext, 'resolvePath'>, tokenizer: string): string {
  const resolved = ctx.resolvePath(tokenizer);
  return existsSync(resolved) ? resolved : tokenizer;
}

/**
 * Content of the tokenizer files, for the stage's signature (the engine should merge this into
 * the signature next to the params): `{ "tokenizer.files": sha256 }`.
 */
export async function fingerprint(params: TokenizeParams, ctx: Pick<StageContext, 'resolvePath'>): Promise<Record<string, string>> {
  // Only the files' content: building the tokenizer here would slow every cached re-run.
  return { 'tokenizer.files': await hashTokenizerFiles(await tokenizerFiles(tokenizerLocation(ctx, params.tokenizer))) };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Int32Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function labelOf(row: Record<string, unknown>, field: string, rowNumber: number, id: string): number {
  const value = row[field];
  if (value === undefined || value === null || value === '') return -1;
  const label = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0) {
    throw new StageUserError(`tokenize: row ${rowNumber} (id ${id}) has label ${JSON.stringify(value)} in "${field}"; expected a non-negative integer`);
  }
  return label;
}

export default defineStage<TokenizeParams>({
  name: 'tokenize',
  version: '1',
  description: 'Tokenizes a text column with a BERT WordPiece tokenizer (ids identical to Hugging Face)',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['tokenizer'],
    properties: {
      tokenizer: { type: 'string', minLength: 1, description: 'vocab.txt, tokenizer.json, a model folder, or a Hugging Face Hub id' },
      max_length: { type: 'integer', minimum: 3, default: 512, description: 'maximum tokens per text, [CLS] and [SEP] included' },
      truncation: { type: 'boolean', default: true, description: 'cut longer texts to max_length, keeping [SEP] last' },
      padding: { enum: ['max_length', 'longest', 'none'], default: 'max_length', description: "'max_length': store rows padded; 'longest'/'none': store true lengths (pad per batch)" },
      text_field: { type: 'string', default: 'text' },
      label_field: { type: 'string', default: 'label' },
    },
  },
  inputs: { table: { kind: 'table', description: 'rows with a text column (and optionally an integer label)' } },
  outputs: { tokens: { kind: 'tokens' } },
  device: 'cpu',
  deterministic: true,
  fingerprint,
  // Truncated tokens are at most max_length long, whatever the text.
  inspect: (params): Inspection => ({ outputs: params.truncation === false ? {} : { tokens: { max_length: params.max_length } } }),
  async run(ctx, inputs, params) {
    const table = inputs.table;
    if (!table) throw new StageUserError('tokenize: input "table" is not wired');
    const started = performance.now();
    const location = tokenizerLocation(ctx, params.tokenizer);
    // Imported here: the tokenizer library is not needed when the stage is restored from the cache.
    const { loadTokenizer } = await import('../../src/text/tokenizer.js');
    const tokenizer = await loadTokenizer(location, { onProgress: (p) => ctx.progress({ current: p.loaded, total: p.total, unit: 'bytes', message: `downloading ${p.file}` }) });
    const info = await readTableInfo(table.path);

    const texts: unknown[] = [];
    const labels: number[] = [];
    const rowIds: string[] = [];
    let nonString = 0;
    let rowNumber = 0;
    for await (const row of readRows(table.path)) {
      rowNumber++;
      const id = typeof row.id === 'string' || typeof row.id === 'number' ? String(row.id) : String(rowNumber);
      if (!(params.text_field in row)) {
        throw new StageUserError(
          `tokenize: row ${rowNumber} (id ${id}) has no field "${params.text_field}"; its fields are ${Object.keys(row).join(', ')} (set text_field)`,
        );
      }
      const text = row[params.text_field];
      if (text !== null && typeof text !== 'string') nonString++;
      texts.push(text);
      labels.push(labelOf(row, params.label_field, rowNumber, id));
      rowIds.push(id);
    }
    if (nonString > 0) ctx.log.warn(`${nonString} rows have a non-string "${params.text_field}"; they were encoded as empty text ([CLS] [SEP])`);

    const settings = { maxLength: params.max_length, truncation: params.truncation, padding: params.padding };
    const progress = (done: number): void => ctx.progress({ current: done, total: texts.length, unit: 'rows' });
    const workers = Math.min(2, availableParallelism());
    let block: EncodedBlock;
    if (texts.length > PARALLEL_THRESHOLD && workers > 1) {
      // Workers reload from the resolved folder: a Hub id was downloaded above, if it had to be.
      block = await encodeInWorkers(tokenizer.files[0]!, texts, settings, workers, ctx.signal, progress);
    } else {
      block = encodeBlock(tokenizer, texts, settings, progress);
    }

    const writer = await TokensWriter.create(ctx.outputDir('tokens'), {
      maxLength: params.max_length,
      padding: params.padding,
      vocabSize: tokenizer.vocabSize,
      padId: tokenizer.padTokenId,
      labels: info.labels,
      tokenizer: {
        ...tokenizer.describe(),
        filesSha256: await hashTokenizerFiles(tokenizer.files),
        // What a saved model records for `fnd predict`: the tokenizer as the spec named it, and how texts were cut.
        given: params.tokenizer,
        maxLength: params.max_length,
        truncation: params.truncation,
        textField: params.text_field,
      },
    });
    let offset = 0;
    for (let i = 0; i < texts.length; i++) {
      const length = block.lengths[i]!;
      await writer.add({ ids: block.ids.subarray(offset, offset + length), label: labels[i], rowId: rowIds[i]! });
      offset += length;
    }
    const header = await writer.close();
    if (info.preparation !== undefined) {
      // The table's text preparation travels with the ids (save writes it into the model's fnd.json).
      // The header is complete either way; nothing reads the artifact before the stage returns.
      await writeFileAtomic(join(ctx.outputDir('tokens'), 'header.json'), JSON.stringify({ ...header, preparation: info.preparation }, null, 2) + '\n');
    }

    const untruncated = Int32Array.from(block.untruncatedLengths).sort();
    let truncated = 0;
    for (let i = 0; i < texts.length; i++) if (block.untruncatedLengths[i]! > block.lengths[i]!) truncated++;
    const seconds = (performance.now() - started) / 1000;
    const empty = texts.filter((t) => typeof t !== 'string' || t.trim() === '').length;
    return {
      metrics: {
        count: header.count,
        truncated,
        emptyTexts: empty,
        nonStringTexts: nonString,
        labelled: labels.filter((l) => l >= 0).length,
        lengthP50: percentile(untruncated, 0.5),
        lengthP90: percentile(untruncated, 0.9),
        lengthP99: percentile(untruncated, 0.99),
        lengthMax: untruncated.length ? untruncated[untruncated.length - 1]! : 0,
        totalTokens: header.totalTokens,
        examplesPerSecond: Math.round(texts.length / seconds),
        vocabSize: tokenizer.vocabSize,
      },
      summary: `${header.count} rows, ${truncated} truncated to ${params.max_length}, median ${percentile(untruncated, 0.5)} tokens`,
    };
  },
});
