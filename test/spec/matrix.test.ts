import { describe, expect, it } from 'vitest';
import { expandMatrix, formatSetValue, loadSpec, parseOverride, validatePipeline } from '../../src/spec/index.js';
import { registry, specDir, userError } from './helpers.js';

const files = specDir();

describe('expandMatrix', () => {
  it('is the cartesian product in key order, first key slowest, with stable names', () => {
    const variants = expandMatrix({ 'stages.train.with.learning_rate': [2e-5, 5e-5], seed: [1, 2, 3] });
    expect(variants.map((v) => v.name)).toEqual([
      'learning_rate=2e-05,seed=1',
      'learning_rate=2e-05,seed=2',
      'learning_rate=2e-05,seed=3',
      'learning_rate=5e-05,seed=1',
      'learning_rate=5e-05,seed=2',
      'learning_rate=5e-05,seed=3',
    ]);
    expect(variants[4]!.sets).toEqual(['stages.train.with.learning_rate=5e-05', 'seed=2']);
    expect(expandMatrix({})).toEqual([{ name: 'default', sets: [] }]);
  });

  it('formats values so that --set reads back the same value', () => {
    const values = [2e-5, 5e-5, 0.0001, 0.1, 3, -7, 1e21, 1.5e-7, 'bert', 'two words', '3', 'true', '', 'a: b', true, null, [1, 'x'], { a: 1 }];
    for (const value of values) expect(parseOverride(`x=${formatSetValue(value)}`).value).toEqual(value);
    expect(values.slice(0, 8).map(formatSetValue)).toEqual(['2e-05', '5e-05', '0.0001', '0.1', '3', '-7', '1e+21', '1.5e-07']);
  });

  it('keeps names filesystem-safe and distinct', () => {
    const variants = expandMatrix({ 'vars.data': ['a/b', 'a b', 'x'] });
    expect(variants.map((v) => v.name)).toEqual(['data=a_b', 'data=a_b~2', 'data=x']);
    expect(variants[1]!.sets).toEqual(['vars.data=a b']);
  });

  it('a variant loads through matrixSets after --set, and its errors point at the matrix', async () => {
    const file = files.write(
      'sweep.yaml',
      `name: sweep
stages:
  load:
    uses: load-csv
    with: { files: [] }
  tok:
    uses: tokenize
    inputs: { table: load }
  train:
    uses: train
    inputs: { tokens: tok }
matrix:
  train.with.learning_rate: [2e-5, 5e-5]
  train.with.epochs: [1, many]
  seed: [1, 2]
`,
    );
    const loaded = await loadSpec(file);
    const variants = expandMatrix(loaded.resolved.matrix!);
    expect(variants.map((v) => v.name)).toEqual([
      'learning_rate=2e-05,epochs=1,seed=1',
      'learning_rate=2e-05,epochs=1,seed=2',
      'learning_rate=2e-05,epochs=many,seed=1',
      'learning_rate=2e-05,epochs=many,seed=2',
      'learning_rate=5e-05,epochs=1,seed=1',
      'learning_rate=5e-05,epochs=1,seed=2',
      'learning_rate=5e-05,epochs=many,seed=1',
      'learning_rate=5e-05,epochs=many,seed=2',
    ]);
    const first = validatePipeline(await loadSpec(file, { sets: ['seed=9', 'train.with.epochs=4'], matrixSets: variants[1]!.sets }), registry);
    expect(first.stages.find((s) => s.id === 'train')!.params).toEqual({ learning_rate: 2e-5, epochs: 1, optimizer: 'adamw', seed: 2 });
    const bad = await userError(async () => validatePipeline(await loadSpec(file, { matrixSets: variants[2]!.sets }), registry));
    expect(bad.message).toBe(`${file}:14:3 (matrix value train.with.epochs=many): stages.train.with.epochs: must be integer, got string "many"`);
  });
});
