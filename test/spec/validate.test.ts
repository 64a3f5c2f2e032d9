import { describe, expect, it } from 'vitest';
import { loadSpec, validatePipeline } from '../../src/spec/index.js';
import { FndErrors } from '../../src/util/errors.js';
import { registry, specDir, userError } from './helpers.js';

const files = specDir();

const good = `name: demo
seed: 7
stages:
  load:
    uses: load-csv
    with:
      files: [a.csv]
  concat:
    uses: concat-title-text
    inputs: { table: load }
  tok:
    uses: tokenize
    inputs: { table: concat.table }
    with: { max_length: 64 }
  train:
    uses: train
    inputs: { tokens: tok }
    with:
      learning_rate: 3.0e-5
  evaluate:
    uses: evaluate
    inputs: { model: train, tokens: tok.tokens }
`;

async function validate(text: string, sets: string[] = []) {
  const file = files.write(`spec-${Math.random().toString(36).slice(2)}.yaml`, text);
  return { file, result: () => loadSpec(file, { sets }).then((loaded) => validatePipeline(loaded, registry)) };
}

/** The messages of the FndErrors a spec produces, with the temp file name replaced by F. */
async function errorsOf(text: string, sets: string[] = []): Promise<string[]> {
  const { file, result } = await validate(text, sets);
  const error = await userError(result);
  expect(error).toBeInstanceOf(FndErrors);
  expect(error.exitCode).toBe(2);
  return (error as FndErrors).errors.map((e) => e.message.replaceAll(file, 'F'));
}

describe('validatePipeline: a valid spec', () => {
  it('returns stages in topological order with explicit ports, defaults and the seed where a plugin takes one', async () => {
    const { result } = await validate(good);
    const pipeline = await result();
    expect(pipeline.order).toEqual(['load', 'concat', 'tok', 'train', 'evaluate']);
    expect(pipeline.stages.map((s) => s.id)).toEqual(pipeline.order);
    const byId = Object.fromEntries(pipeline.stages.map((s) => [s.id, s]));
    expect(byId.concat!.inputs).toEqual({ table: { stage: 'load', port: 'table' } });
    expect(byId.evaluate!.inputs).toEqual({ model: { stage: 'train', port: 'model' }, tokens: { stage: 'tok', port: 'tokens' } });
    // Defaults applied, the spec's seed only where the plugin's schema has `seed`.
    expect(byId.load!.params).toEqual({ files: ['a.csv'], delimiter: ',' });
    expect(byId.tok!.params).toEqual({ max_length: 64, lowercase: true });
    expect(byId.train!.params).toEqual({ learning_rate: 3e-5, epochs: 3, optimizer: 'adamw', seed: 7 });
    expect(byId.evaluate!.params).toEqual({});
    // Defaults go on a copy: `with` stays as written.
    expect(byId.train!.with).toEqual({ learning_rate: 3e-5 });
    expect(pipeline.graph.dependents.get('tok')).toEqual(['train', 'evaluate']);
  });

  it("keeps a stage's own seed and takes --set seed for the others", async () => {
    const text = good.replace('      learning_rate: 3.0e-5', '      learning_rate: 3.0e-5\n      seed: 99');
    const { result } = await validate(text.replace('  concat:', '  sp:\n    uses: split\n    inputs: { table: load }\n  concat:'));
    const pipeline = await result();
    const byId = Object.fromEntries(pipeline.stages.map((s) => [s.id, s]));
    expect(byId.train!.params.seed).toBe(99);
    expect(byId.sp!.params).toEqual({ test_size: 0.2, seed: 7 });

    const file = files.write('seed-set.yaml', good);
    const withSet = validatePipeline(await loadSpec(file, { sets: ['seed=5'] }), registry);
    expect(withSet.stages.find((s) => s.id === 'train')!.params.seed).toBe(5);
    expect(withSet.stages.find((s) => s.id === 'tok')!.params).not.toHaveProperty('seed');
  });

  it('orders independent stages by file order', async () => {
    const { result } = await validate(`name: order
stages:
  b:
    uses: concat-title-text
    inputs: { table: a }
  c:
    uses: load-csv
    with: { files: [] }
  a:
    uses: load-csv
    with: { files: [] }
`);
    expect((await result()).order).toEqual(['c', 'a', 'b']);
  });
});

describe('validatePipeline: errors', () => {
  it('unknown plugin, with a suggestion', async () => {
    expect(await errorsOf(good.replace('uses: tokenize', 'uses: tokenise'))).toEqual([
      'F:12:11: stages.tok.uses: unknown plugin "tokenise" in stage "tok"; did you mean "tokenize"?',
    ]);
  });

  it('unknown param, with a suggestion', async () => {
    expect(await errorsOf(good.replace('learning_rate: 3.0e-5', 'learning_rat: 3.0e-5'))).toEqual([
      'F:19:7: stages.train.with.learning_rat: unknown param "learning_rat" of plugin "train"; did you mean "learning_rate"?',
    ]);
  });

  it('unknown param of a plugin whose schema does not say additionalProperties', async () => {
    expect(await errorsOf(good.replace('{ max_length: 64 }', '{ max_lenght: 64 }'))).toEqual([
      'F:14:13: stages.tok.with.max_lenght: unknown param "max_lenght" of plugin "tokenize"; did you mean "max_length"?',
    ]);
  });

  it('wrong types, bounds and enum values, all reported at once', async () => {
    const text = good
      .replace('{ max_length: 64 }', '{ max_length: "64" }')
      .replace('learning_rate: 3.0e-5', 'learning_rate: 3.0e-5\n      epochs: 0\n      optimizer: adamm');
    expect(await errorsOf(text)).toEqual([
      'F:14:25: stages.tok.with.max_length: must be integer, got string "64"',
      'F:20:15: stages.train.with.epochs: must be >= 1, got number 0',
      'F:21:18: stages.train.with.optimizer: must be one of "adamw", "sgd", got string "adamm"; did you mean "adamw"?',
    ]);
  });

  it('a missing required param', async () => {
    expect(await errorsOf(good.replace('      files: [a.csv]', '      delimiter: ";"'))).toEqual([
      'F:6:5: stages.load.with: missing required param "files" of plugin "load-csv"',
    ]);
  });

  it('a missing required input port', async () => {
    expect(await errorsOf(good.replace('    inputs: { tokens: tok }\n', ''))).toEqual([
      'F:15:3: stages.train.inputs: missing required input "tokens" (tokens) of plugin "train" in stage "train"',
    ]);
  });

  it('an unknown input port name', async () => {
    expect(await errorsOf(good.replace('inputs: { table: load }', 'inputs: { tabel: load }'))).toEqual([
      'F:10:15: stages.concat.inputs.tabel: unknown input "tabel" of plugin "concat-title-text"; did you mean "table"?',
      'F:10:5: stages.concat.inputs: missing required input "table" (table) of plugin "concat-title-text" in stage "concat"',
    ]);
  });

  it('an input from a stage that does not exist', async () => {
    expect(await errorsOf(good.replace('inputs: { table: load }', 'inputs: { table: lod }'))).toEqual([
      'F:10:22: stages.concat.inputs.table: input "table" of stage "concat" refers to stage "lod", which does not exist; did you mean "load"?',
    ]);
  });

  it('an ambiguous input from a stage with several outputs', async () => {
    const text = good.replace('  concat:', '  sp:\n    uses: split\n    inputs: { table: load }\n  concat:').replace('inputs: { table: load }\n  tok', 'inputs: { table: sp }\n  tok');
    expect(await errorsOf(text)).toEqual([
      'F:13:22: stages.concat.inputs.table: input "table" of stage "concat" is ambiguous: stage "sp" has several outputs (train, test); write "sp.<output>"',
    ]);
  });

  it('an unknown output port', async () => {
    expect(await errorsOf(good.replace('tokens: tok.tokens', 'tokens: tok.tokns'))).toEqual([
      'F:22:37: stages.evaluate.inputs.tokens: stage "tok" (plugin "tokenize") has no output "tokns"; did you mean "tokens"?',
    ]);
  });

  it('a port kind mismatch', async () => {
    expect(await errorsOf(good.replace('tokens: tok.tokens', 'tokens: concat.table'))).toEqual([
      'F:22:37: stages.evaluate.inputs.tokens: input "tokens" of stage "evaluate" expects tokens but "concat.table" is table',
    ]);
  });

  it('several problems in one spec are reported together, a cycle among them', async () => {
    const text = good
      .replace('inputs: { table: concat.table }', 'inputs: { table: concat }')
      .replace('inputs: { table: load }', 'inputs: { table: tok.tokens }')
      .replace('uses: evaluate', 'uses: evaluat');
    expect(await errorsOf(text)).toEqual([
      'F:21:11: stages.evaluate.uses: unknown plugin "evaluat" in stage "evaluate"; did you mean "evaluate"?',
      'F:10:22: stages.concat.inputs.table: input "table" of stage "concat" expects table but "tok.tokens" is tokens',
      'F:8:3: stages.concat: cycle: concat -> tok -> concat',
    ]);
  });

  it('duplicate stage ids', async () => {
    const error = await userError(() => validate(good + '  tok:\n    uses: tokenize\n').then((v) => v.result()));
    expect(error.exitCode).toBe(2);
    expect(error.message.replace(/^.*?spec-\w+\.yaml/, 'F')).toBe('F:23:3: duplicate stage id "tok" (first defined at line 11)');
  });

  it('a cycle names its stages', async () => {
    const text = `name: loop
stages:
  a:
    uses: concat-title-text
    inputs: { table: c }
  b:
    uses: concat-title-text
    inputs: { table: a }
  c:
    uses: concat-title-text
    inputs: { table: b }
`;
    expect(await errorsOf(text)).toEqual(['F:3:3: stages.a: cycle: a -> b -> c -> a']);
  });

  it('an error in a value from --set points at the --set', async () => {
    expect(await errorsOf(good, ['train.with.epochs=zero'])).toEqual([
      '--set train.with.epochs=zero: stages.train.with.epochs: must be integer, got string "zero"',
    ]);
    expect(await errorsOf(good, ['train.with.learning_rat=1'])).toEqual([
      '--set train.with.learning_rat=1: stages.train.with.learning_rat: unknown param "learning_rat" of plugin "train"; did you mean "learning_rate"?',
    ]);
  });
});
