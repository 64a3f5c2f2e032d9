/**
 * Hostile model folders, generated here (issue 12 items 2 and 8): sizes no BERT has (10^9 layers,
 * hidden 10^9), heads that do not divide hidden, a model too large for memory, and safetensors
 * files whose ranges overlap, leave gaps, run out of bounds or disagree with dtype and shape.
 * Each is refused before anything is allocated for it, by `fnd predict`, by loadModel and by the
 * init-bert stage, with one message naming the field or tensor, and no stack trace.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/nn/checkpoint/load.js';
import { parseSafetensors } from '../../src/nn/checkpoint/safetensors.js';
import { committedEntries, expectNoStackTrace, fnd, lastRecord, leftovers, makeFaultProject, repoRoot, escapeRegExp as escape } from './helpers/project.js';

const TINY = { vocab_size: 30522, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 64 };

/** A safetensors file from a header object and a data section of `dataBytes` bytes. */
function safetensorsBytes(header: Record<string, unknown>, dataBytes: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}


const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

/** A model folder: config.json, vocab.txt, and model.safetensors when given. */
function modelFolder(config: Record<string, unknown>, weights?: Uint8Array): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fnd-hostile-model-')), 'model');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  copyFileSync(join(repoRoot, 'test/fixtures/vocab/vocab.txt'), join(dir, 'vocab.txt'));
  if (weights) writeFileSync(join(dir, 'model.safetensors'), weights);
  else copyFileSync(join(repoRoot, 'test/fixtures/bert/tiny-2l-32h/pytorch_model.bin'), join(dir, 'pytorch_model.bin'));
  return dir;
}

const OVERLAPPING = safetensorsBytes({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12);

const CONFIGS: [string, Record<string, unknown>, RegExp][] = [
  ['10^9 layers', { ...TINY, num_hidden_layers: 1e9 }, /config\.json: num_hidden_layers is 1000000000, more than the 1024 fnd accepts/],
  ['hidden size 10^9', { ...TINY, hidden_size: 1e9, num_attention_heads: 1 }, /config\.json: hidden_size is 1000000000, more than the 65536 fnd accepts/],
  ['heads that do not divide hidden', { ...TINY, hidden_size: 64, num_attention_heads: 5 }, /config\.json: num_attention_heads 5 does not divide hidden_size 64/],
  ['a fractional layer count', { ...TINY, num_hidden_layers: 2.5 }, /config\.json: num_hidden_layers must be a positive integer, got 2\.5/],
  [
    'a model larger than memory',
    { ...TINY, hidden_size: 65536, num_attention_heads: 1, num_hidden_layers: 1000, intermediate_size: 262144 },
    /config\.json: the model has 51546759430146 parameters .*mostly num_hidden_layers 1000 × \(hidden_size 65536, intermediate_size 262144\)/,
  ],
];

describe('hostile model folders', () => {
  it.each(CONFIGS)('loadModel refuses %s, naming the field', async (_name, config, message) => {
    await expect(loadModel(modelFolder(config))).rejects.toThrow(message);
  });

  it('safetensors headers: overlapping, gaps, out of bounds, reversed, trailing bytes and dtype/shape/length mismatches', () => {
    const parse = (header: Record<string, unknown>, data: number) => () => parseSafetensors(safetensorsBytes(header, data), 'm.safetensors');
    expect(parse({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12)).toThrow('cannot read m.safetensors: tensors a and b overlap (bytes [4, 8) of the data section)');
    expect(parse({ a: f32([2], 0, 8), b: f32([2], 0, 8) }, 8)).toThrow(/tensors a and b overlap/);
    expect(parse({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12)).toThrow('bytes [4, 8) of the data section belong to no tensor (before b)');
    expect(parse({ a: f32([4], 0, 16) }, 8)).toThrow('tensor a: data_offsets [0, 16] run past the 8-byte data section');
    expect(parse({ a: f32([1], 8, 4) }, 8)).toThrow('tensor a: data_offsets [8, 4] end before they begin');
    expect(parse({ a: f32([1], 0, 4) }, 12)).toThrow('the data section has 12 bytes but its tensors end at byte 4');
    expect(parse({ a: f32([3], 0, 8) }, 8)).toThrow('tensor a: data_offsets [0, 8] hold 8 bytes but F32 [3] needs 12');
    expect(parse({ a: { dtype: 'F16', shape: [4], data_offsets: [0, 4] } }, 4)).toThrow('hold 4 bytes but F16 [4] needs 8');
    expect(parse({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, 4)).toThrow('tensor a has unsupported dtype "Q4"');
    expect(parse({ a: f32([2 ** 40, 2 ** 40], 0, 4) }, 4)).toThrow(/tensor a: shape \[1099511627776, 1099511627776\] is too large|hold 4 bytes/);
    // Well-formed, in any header order: accepted.
    const ok = parseSafetensors(safetensorsBytes({ b: f32([1], 4, 8), a: f32([1], 0, 4) }, 8), 'm.safetensors');
    expect([...ok.tensors.keys()]).toEqual(['b', 'a']);
  });

  it.each([...CONFIGS.slice(0, 3), ['overlapping safetensors tensors', TINY, /model\.safetensors: tensors a and b overlap/] as const])(
    'fnd predict refuses %s with one message and no stack trace',
    async (_name, config, message) => {
      const weights = _name.includes('safetensors') ? OVERLAPPING : undefined;
      const dir = modelFolder(config, weights);
      const result = await fnd(repoRoot, ['predict', dir, 'Some headline']);
      // The message names the file in the folder given, then the field or tensors.
      expect(result.stderr).toMatch(new RegExp(`^error: (cannot read )?${escape(dir)}/${message.source}`));
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.code).toBe(weights ? 1 : 2);
      expect(result.stdout).toBe('');
      expectNoStackTrace(result);
    },
  );

  it.each([
    ['10^9 layers', modelFolder({ ...TINY, num_hidden_layers: 1e9 }), /num_hidden_layers is 1000000000/],
    ['overlapping safetensors tensors', modelFolder(TINY, OVERLAPPING), /tensors a and b overlap/],
  ])('the init-bert stage refuses %s: run failed, nothing committed, nothing left behind', async (_name, dir, message) => {
    const spec = `name: hostile
stages:
  init-bert:
    uses: init-bert
    with: { model: ${JSON.stringify(dir)} }
`;
    const project = makeFaultProject(spec);
    const cacheDir = join(project, '.fnd');
    const result = await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: stage "init-bert" \\(plugin init-bert\\) failed: .*${message.source}`));
    expectNoStackTrace(result);
    const record = lastRecord(project);
    expect(record).toMatchObject({ status: 'failed', stages: { 'init-bert': { status: 'failed' } } });
    expect(record.error).toMatch(message);
    expect(committedEntries(cacheDir)).toEqual([]);
    expect(leftovers(cacheDir)).toEqual([]);
  });
});
