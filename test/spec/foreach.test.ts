import { describe, expect, it } from 'vitest';
import { loadSpec, validatePipeline } from '../../src/spec/index.js';
import { FndErrors } from '../../src/util/errors.js';
import { registry, specDir, userError } from './helpers.js';

const files = specDir();

const spec = `name: splits
vars:
  max_length: 64
  splits: [train, test]
stages:
  load:
    uses: load-csv
    foreach:
      train: { file: train.tsv, rows: 100 }
      test: { file: test.tsv, rows: 20 }
    with:
      files: [{ path: "data/\${{ item.file }}", note: "\${{ key }} of \${{ name }}" }]
      limit: "\${{ item.rows }}"
  split:
    uses: split
    inputs: { table: load.train }
  tokenize-512:
    uses: tokenize
    foreach: "\${{ vars.splits }}"
    inputs: { table: "split.\${{ item }}" }
    with: { max_length: "\${{ vars.max_length }}" }
  train:
    uses: train
    inputs: { tokens: tokenize-512.train, eval: tokenize-512.test.tokens }
`;

describe('foreach', () => {
  it('expands a stage into one part per item, before validation, with item, item.field and key', async () => {
    const loaded = await loadSpec(files.write('splits.yaml', spec));
    const stages = loaded.resolved.stages;
    expect(stages.map((s) => s.id)).toEqual(['load.train', 'load.test', 'split', 'tokenize-512.train', 'tokenize-512.test', 'train']);
    expect(loaded.resolved.groups).toEqual({ load: ['load.train', 'load.test'], 'tokenize-512': ['tokenize-512.train', 'tokenize-512.test'] });
    expect(stages[1]!.with).toEqual({ files: [{ path: 'data/test.tsv', note: 'test of splits' }], limit: 20 });
    expect(stages[3]).toEqual({ id: 'tokenize-512.train', uses: 'tokenize', inputs: { table: { stage: 'split', port: 'train' } }, with: { max_length: 64 }, cache: true });
    expect(stages[5]!.inputs).toEqual({ tokens: { stage: 'tokenize-512.train' }, eval: { stage: 'tokenize-512.test', port: 'tokens' } });
    // Within the part's stage, the other stages are the parts: the wiring and order follow.
    const pipeline = validatePipeline(loaded, { ...registry, get: (name) => (name === 'load-csv' ? { ...registry.get(name)!, params: { type: 'object' } } : registry.get(name)) });
    expect(pipeline.order).toEqual(['load.train', 'load.test', 'split', 'tokenize-512.train', 'tokenize-512.test', 'train']);
    expect(pipeline.stages.find((s) => s.id === 'train')!.inputs).toEqual({ tokens: { stage: 'tokenize-512.train', port: 'tokens' }, eval: { stage: 'tokenize-512.test', port: 'tokens' } });
    // A part's paths are located at the stage as written.
    expect(loaded.locate(['stages', 'tokenize-512.test', 'inputs', 'table'], { part: 'value' })).toMatchObject({ line: 20, col: 22 });
    expect(loaded.resolvedDocument.stages).toHaveProperty(['load.test', 'with', 'limit'], 20);
  });

  it('--set reaches the stage as written (all parts) and its items', async () => {
    const loaded = await loadSpec(files.write('splits.yaml', spec), { sets: ['tokenize-512.with.max_length=32', 'load.foreach.test.rows=5'] });
    expect(loaded.resolved.stages.filter((s) => s.uses === 'tokenize').map((s) => s.with.max_length)).toEqual([32, 32]);
    expect(loaded.resolved.stages[1]!.with.limit).toBe(5);
  });

  it('a mistake in the body is reported once, at the line written, with the path as written', async () => {
    const file = files.write('typo.yaml', spec.replace('with: { max_length: "${{ vars.max_length }}" }', 'with: { max_length: 4, lowercas: true }'));
    const error = await userError(async () => validatePipeline(await loadSpec(file), registry));
    expect((error as FndErrors).errors.map((e) => e.message)).toEqual([
      `${file}:13:7: stages.load.with.limit: unknown param "limit" of plugin "load-csv"`,
      `${file}:21:28: stages.tokenize-512.with.lowercas: unknown param "lowercas" of plugin "tokenize"; did you mean "lowercase"?`,
      `${file}:21:25: stages.tokenize-512.with.max_length: must be >= 8, got number 4`,
    ]);
  });

  it('wiring to a group without its part, or to a part that does not exist, says which parts there are', async () => {
    const file = files.write('wiring.yaml', spec.replace('tokens: tokenize-512.train,', 'tokens: tokenize-512,').replace('eval: tokenize-512.test.tokens', 'eval: tokenize-512.tset'));
    const error = await userError(async () => validatePipeline(await loadSpec(file), { ...registry, get: (name) => (name === 'load-csv' ? { ...registry.get(name)!, params: { type: 'object' } } : registry.get(name)) }));
    expect((error as FndErrors).errors.map((e) => e.message.slice(file.length + 1))).toEqual([
      '24:23: stages.train.inputs.tokens: input "tokens" of stage "train" refers to "tokenize-512", which runs once per foreach item: name a part ("tokenize-512.train", "tokenize-512.test")',
      '24:43: stages.train.inputs.eval: input "eval" of stage "train" refers to "tokenize-512.tset", which is not a part of "tokenize-512"; did you mean "tokenize-512.test"?',
    ]);
  });

  it('refuses items that cannot name a part, repeated parts, an empty foreach and item outside foreach', async () => {
    const bad = (body: string) => files.write('bad.yaml', `name: b\nstages:\n  t:\n    uses: tokenize\n${body}`);
    const messages = async (body: string) => {
      const file = bad(body);
      return ((await userError(() => loadSpec(file))) as FndErrors).errors.map((e) => e.message.slice(file.length + 1));
    };
    expect(await messages('    foreach: ["a b", x, x]\n')).toEqual([
      `5:15: stages.t.foreach.0: foreach item "a b" cannot name a part (letters, digits, '-' and '_'); write foreach as a map of part name -> item`,
      '5:25: stages.t.foreach.2: foreach names the part "x" twice',
    ]);
    expect(await messages('    foreach: []\n')).toEqual(['5:14: stages.t.foreach: foreach takes a non-empty list (a part per value) or map (part name -> item), got a list']);
    expect(await messages('    foreach: 3\n')).toEqual(['5:14: stages.t.foreach: foreach takes a non-empty list (a part per value) or map (part name -> item), got number 3']);
    expect(await messages('    with: { n: "${{ item }}" }\n')).toEqual(['5:16: stages.t.with.n: "${{ item }}" is only defined in a stage with foreach (one part per item)']);
    expect(await messages('    foreach: [{ a: 1 }]\n    with: { n: "${{ item.b }}" }\n')).toEqual(['6:16: stages.t.with.n: unknown variable "item.b"; did you mean "item.a"?']);
  });
});
