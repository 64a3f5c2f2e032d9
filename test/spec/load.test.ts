import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/index.js';
import { FndErrors } from '../../src/util/errors.js';
import { specDir, userError } from './helpers.js';

const files = specDir();

const demo = `name: demo
description: ISOT sample, small BERT from scratch
seed: 42
vars:
  max_length: 128
  data_dir: ../data/isot-sample
  labels: { fake: 0, real: 1 }
stages:
  load:
    uses: load-csv
    with:
      files:
        - { path: "\${{ vars.data_dir }}/Fake.csv.gz", label: 0 }
  concat:
    uses: concat-title-text
    inputs: { table: load.table }
  tokenize-512:
    uses: tokenize
    inputs: { table: concat }
    with: { max_length: "\${{ vars.max_length }}", labels: "\${{ vars.labels }}", tag: "\${{ name }}-\${{ seed }}-\${{ vars.max_length }}" }
    device: cpu
    cache: false
`;

describe('loadSpec', () => {
  it('reads a spec into stages in file order, keeping what was given', async () => {
    const file = files.write('demo.yaml', demo);
    const loaded = await loadSpec(file);
    expect(loaded.file).toBe(resolve(file));
    expect(loaded.source).toBe(demo);
    expect((loaded.given as { stages: { load: { with: { files: { path: string }[] } } } }).stages.load.with.files[0]!.path).toBe(
      '${{ vars.data_dir }}/Fake.csv.gz',
    );
    const spec = loaded.resolved;
    expect(spec.name).toBe('demo');
    expect(spec.description).toBe('ISOT sample, small BERT from scratch');
    expect(spec.seed).toBe(42);
    expect(spec.stages.map((s) => s.id)).toEqual(['load', 'concat', 'tokenize-512']);
    expect(spec.stages[1]).toEqual({ id: 'concat', uses: 'concat-title-text', inputs: { table: { stage: 'load', port: 'table' } }, with: {}, cache: true });
    expect(spec.stages[2]!.inputs).toEqual({ table: { stage: 'concat' } });
    expect(spec.stages[2]!.device).toBe('cpu');
    expect(spec.stages[2]!.cache).toBe(false);
    expect(spec.matrix).toBeUndefined();
  });

  it('templating keeps the type of a whole-string expression and interpolates embedded ones as text', async () => {
    const loaded = await loadSpec(files.write('demo.yaml', demo));
    const [load, , tokenize] = loaded.resolved.stages;
    expect(load!.with.files).toEqual([{ path: '../data/isot-sample/Fake.csv.gz', label: 0 }]);
    expect(tokenize!.with).toEqual({ max_length: 128, labels: { fake: 0, real: 1 }, tag: 'demo-42-128' });
    expect(loaded.resolvedDocument.vars).toEqual({ max_length: 128, data_dir: '../data/isot-sample', labels: { fake: 0, real: 1 } });
  });

  it('variables may use other variables; a loop among them is an error', async () => {
    const ok = await loadSpec(
      files.write('vars.yaml', 'name: v\nvars:\n  root: /d\n  csv: "${{ vars.root }}/x.csv"\n  n: "${{ seed }}"\nstages:\n  a:\n    uses: p\n    with: { f: "${{ vars.csv }}", n: "${{ vars.n }}" }\n'),
    );
    expect(ok.resolved.stages[0]!.with).toEqual({ f: '/d/x.csv', n: 42 });
    const file = files.write('loop.yaml', 'name: v\nvars:\n  a: "${{ vars.b }}"\n  b: "x${{ vars.a }}"\nstages:\n  s:\n    uses: p\n    with: { f: "${{ vars.a }}" }\n');
    const error = await userError(() => loadSpec(file));
    expect(error.message).toBe(`${file}:4:6: vars.b: variables refer to each other in a cycle: vars.a -> vars.b -> vars.a`);
  });

  it('an unknown variable is located and gets a suggestion; a nested one too', async () => {
    const file = files.write(
      'unknown-var.yaml',
      'name: v\nvars:\n  max_length: 8\n  labels: { fake: 0 }\nstages:\n  a:\n    uses: p\n    with:\n      n: "${{ vars.max_lenght }}"\n      l: "x-${{ vars.labels.fak }}"\n      s: "${{ sed }}"\n      e: "${{ vars.a + 1 }}"\n',
    );
    const error = await userError(() => loadSpec(file));
    expect(error).toBeInstanceOf(FndErrors);
    expect(error.exitCode).toBe(2);
    expect((error as FndErrors).errors.map((e) => e.message)).toEqual([
      `${file}:9:10: stages.a.with.n: unknown variable "vars.max_lenght"; did you mean "vars.max_length"?`,
      `${file}:10:10: stages.a.with.l: unknown variable "vars.labels.fak"; did you mean "vars.labels.fake"?`,
      `${file}:11:10: stages.a.with.s: unknown variable "sed"; did you mean "seed"?`,
      `${file}:12:10: stages.a.with.e: unsupported expression "\${{ vars.a + 1 }}": use \${{ vars.NAME }}, \${{ seed }} or \${{ name }}`,
    ]);
  });

  it('a YAML syntax error has file:line:col', async () => {
    const file = files.write('broken.yaml', 'name: x\nstages:\n  a:\n    uses: p\n    with: { a: [1, 2 }\n');
    const error = await userError(() => loadSpec(file));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: YAML syntax error: `));
  });

  it('duplicate keys other than stage ids are located too', async () => {
    const file = files.write('dup.yaml', 'name: x\nstages:\n  a:\n    uses: p\n    with:\n      n: 1\n      n: 2\n');
    const error = await userError(() => loadSpec(file));
    expect(error.message).toBe(`${file}:7:7: duplicate key "n" in stages.a.with (first defined at line 6)`);
  });

  it('shape errors from the pipeline schema: unknown keys with suggestions, bad ids, wrong types', async () => {
    const file = files.write(
      'shape.yaml',
      'name: x\nsed: 3\nstages:\n  Load:\n    uses: load-csv\n  b:\n    uses: p\n    wiht: {}\n    device: gpuu\n    cache: "no"\n    inputs: { t: "a b" }\n',
    );
    const error = await userError(() => loadSpec(file));
    expect(error.exitCode).toBe(2);
    expect((error as FndErrors).errors.map((e) => e.message.replace(`${file}:`, ''))).toEqual([
      '2:1: sed: unknown top-level key "sed"; did you mean "seed"?',
      `4:3: stages.Load: invalid stage id "Load" (use a-z, 0-9, '-' and '_', starting with a letter or digit): must match pattern "^[a-z0-9][a-z0-9-_]*$"`,
      '8:5: stages.b.wiht: unknown key "wiht" in stage "b"; did you mean "with"?',
      '9:13: stages.b.device: must be one of "cpu", "gpu", got string "gpuu"; did you mean "gpu"?',
      '10:12: stages.b.cache: must be boolean, got string "no"',
      '11:18: stages.b.inputs.t: must match pattern "^[a-z0-9][a-z0-9-_]*(\\.[A-Za-z0-9_-]+){0,2}$", got string "a b"',
    ]);
  });

  it('a missing file and a spec that is not a map are clear errors', async () => {
    const missing = await userError(() => loadSpec(`${files.dir}/nope.yaml`));
    expect(missing.message).toBe(`cannot read spec ${files.dir}/nope.yaml: no such file`);
    expect(missing.exitCode).toBe(2);
    const list = files.write('list.yaml', '- a\n- b\n');
    expect((await userError(() => loadSpec(list))).message).toBe(`${list}:1:1: a spec must be a YAML map with at least "name" and "stages"`);
  });

  it('locate maps paths to file:line:col, falling back to the nearest existing node', async () => {
    const file = files.write('demo.yaml', demo);
    const loaded = await loadSpec(file);
    expect(loaded.locate(['stages', 'tokenize-512', 'with', 'max_length'])).toEqual({ file, line: 20, col: 13 });
    expect(loaded.locate(['stages', 'tokenize-512', 'with', 'max_length'], { part: 'value' })).toEqual({ file, line: 20, col: 25 });
    const line13 = demo.split('\n')[12]!;
    expect(loaded.locate(['stages', 'load', 'with', 'files', 0, 'label'])).toEqual({ file, line: 13, col: line13.indexOf('label') + 1 });
    expect(loaded.locate(['stages', 'concat', 'with', 'learning_rat'])).toEqual({ file, line: 14, col: 3 });
    expect(loaded.locate([])).toEqual({ file, line: 1, col: 1 });
  });
});
