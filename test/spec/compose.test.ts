import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec, validatePipeline } from '../../src/spec/index.js';
import { FndErrors } from '../../src/util/errors.js';
import { registry, specDir, userError } from './helpers.js';

const files = specDir();
const at = (file: string, line: number, col: number) => `${file}:${line}:${col}`;

const base = `name: liar-base
seed: 1
vars:
  max_length: 64
stages:
  load:
    uses: load-csv
    with:
      files: [{ path: train.tsv }]
      delimiter: "\\t"
  concat:
    uses: concat-title-text
    inputs: { table: load }
  tokenize-512:
    uses: tokenize
    inputs: { table: concat }
    with: { max_length: "\${{ vars.max_length }}", lowercase: true }
  train:
    uses: train
    inputs: { tokens: tokenize-512 }
    with: { learning_rate: 5.0e-5, epochs: 3 }
`;

describe('extends', () => {
  it('deep-merges the spec over its base: stage-level overrides, new stages, !delete and !replace', async () => {
    files.write('base.yaml', base);
    const file = files.write(
      'variant.yaml',
      `extends: base.yaml
name: liar-variant
vars: { max_length: 32 }
stages:
  concat: !delete
  tokenize-512:
    inputs: { table: load }
  train:
    with: !replace { epochs: 5 }
  evaluate:
    uses: evaluate
    inputs: { model: train, tokens: tokenize-512 }
`,
    );
    const loaded = await loadSpec(file);
    const spec = loaded.resolved;
    expect(spec.name).toBe('liar-variant');
    expect(spec.seed).toBe(1);
    expect(spec.stages.map((s) => s.id)).toEqual(['load', 'tokenize-512', 'train', 'evaluate']);
    expect(spec.stages[1]).toMatchObject({ inputs: { table: { stage: 'load' } }, with: { max_length: 32, lowercase: true } });
    expect(spec.stages[2]!.with).toEqual({ epochs: 5 });
    expect(spec.stages[0]!.with).toEqual({ files: [{ path: 'train.tsv' }], delimiter: '\t' });
    expect(loaded.files.map((f) => relative(files.dir, f))).toEqual(['variant.yaml', 'base.yaml']);
    expect(validatePipeline(loaded, registry).order).toEqual(['load', 'tokenize-512', 'train', 'evaluate']);
  });

  it('errors point at the file where the value was written', async () => {
    const baseFile = files.write('typo-base.yaml', base.replace('epochs: 3', 'epochs: 0'));
    const file = files.write('typo-variant.yaml', 'extends: typo-base.yaml\nname: v\nstages:\n  train:\n    with: { learning_rat: 1 }\n');
    const loaded = await loadSpec(file);
    const error = await userError(() => validatePipeline(loaded, registry));
    expect((error as FndErrors).errors.map((e) => e.message)).toEqual([
      `${at(file, 5, 13)}: stages.train.with.learning_rat: unknown param "learning_rat" of plugin "train"; did you mean "learning_rate"?`,
      `${at(baseFile, 21, 44)}: stages.train.with.epochs: must be >= 1, got number 0`,
    ]);
    // A shape error in the base, found when loading the variant, is located in the base.
    const badBase = files.write('shape-base.yaml', 'name: b\nstages:\n  a:\n    uses: tokenize\n    devise: cpu\n');
    const child = files.write('shape-child.yaml', 'extends: shape-base.yaml\nname: c\n');
    expect((await userError(() => loadSpec(child))).message).toBe(`${at(badBase, 5, 5)}: stages.a.devise: unknown key "devise" in stage "a"; did you mean "device"?`);
  });

  it('refuses a missing base, a cycle and a !delete that removes nothing, each located', async () => {
    const missing = files.write('missing.yaml', 'name: m\nextends: nope.yaml\nstages: {}\n');
    expect((await userError(() => loadSpec(missing))).message).toBe(`${at(missing, 2, 10)}: extends: nope.yaml: cannot read ${files.dir}/nope.yaml: no such file`);
    const a = files.write('cycle-a.yaml', 'extends: cycle-b.yaml\nname: a\n');
    files.write('cycle-b.yaml', 'extends: cycle-a.yaml\nname: b\n');
    const cycle = await userError(() => loadSpec(a));
    expect(cycle.message).toMatch(/cycle-b\.yaml:1:10: extends: cycle-a\.yaml: the files extend or include each other in a cycle \(".*cycle-a\.yaml" -> ".*cycle-b\.yaml" -> ".*cycle-a\.yaml"\)$/);
    expect(cycle.exitCode).toBe(2);
    const del = files.write('del.yaml', 'extends: base.yaml\nname: d\nstages:\n  concta: !delete\n');
    expect((await userError(() => loadSpec(del))).message).toBe(`${at(del, 4, 3)}: !delete removes nothing: stages has no "concta"; did you mean "concat"?`);
    const unknownTag = files.write('tag.yaml', 'name: t\nstages:\n  a:\n    uses: !remove p\n');
    expect((await userError(() => loadSpec(unknownTag))).message).toBe(`${at(unknownTag, 4, 19)}: stages.a.uses: unknown tag !remove (fnd knows !include, !delete, !replace)`);
  });

  it('!include puts another file in place, located in that file', async () => {
    const labels = files.write('labels.yaml', '"0": pants-fire\n"1": "false"\n"2": "true"\n');
    const file = files.write('inc.yaml', 'name: i\nstages:\n  load:\n    uses: load-csv\n    with:\n      files: []\n      labels: !include labels.yaml\n');
    const loaded = await loadSpec(file);
    expect(loaded.resolved.stages[0]!.with.labels).toEqual({ '0': 'pants-fire', '1': 'false', '2': 'true' });
    expect(loaded.locate(['stages', 'load', 'with', 'labels', '1'])).toEqual({ file: labels, line: 2, col: 1 });
    expect(loaded.locate(['stages', 'load', 'with', 'labels'], { part: 'value' })).toEqual({ file: labels, line: 1, col: 1 });
  });
});

describe('anchors and merge keys', () => {
  it('<< merges maps in place; keys written in the map win; values keep their own positions', async () => {
    const text = `name: anchors
vars:
  tok: &tok
    uses: tokenize
    with: &tokwith { max_length: 128, lowercase: false }
stages:
  a:
    <<: *tok
    inputs: { table: b }
  b:
    <<: *tok
    with:
      <<: *tokwith
      max_length: 4
`;
    const file = files.write('anchors.yaml', text);
    const loaded = await loadSpec(file);
    expect(loaded.resolved.stages.map((s) => [s.id, s.uses, s.with])).toEqual([
      ['a', 'tokenize', { max_length: 128, lowercase: false }],
      ['b', 'tokenize', { max_length: 4, lowercase: false }],
    ]);
    // A merged value is located where the anchor wrote it; a key written in the map, there.
    expect(loaded.locate(['stages', 'b', 'with', 'lowercase'])).toEqual({ file, line: 5, col: 39 });
    expect(loaded.locate(['stages', 'a', 'uses'], { part: 'value' })).toEqual({ file, line: 4, col: 11 });
    const error = await userError(() => validatePipeline(loaded, registry));
    expect((error as FndErrors).errors.map((e) => e.message)).toEqual([
      `${at(file, 9, 22)}: stages.a.inputs.table: input "table" of stage "a" expects table but "b.tokens" is tokens`,
      `${at(file, 14, 19)}: stages.b.with.max_length: must be >= 8, got number 4`,
      `${at(file, 10, 3)}: stages.b.inputs: missing required input "table" (table) of plugin "tokenize" in stage "b"`,
    ]);
  });

  it('merge keys must merge maps', async () => {
    const file = files.write('bad-merge.yaml', 'name: m\nvars:\n  x: &x [1, 2]\nstages:\n  a:\n    <<: *x\n    uses: p\n');
    expect((await userError(() => loadSpec(file))).message).toBe(`${at(file, 6, 9)}: stages.a: a merge key (<<) takes a map or a list of maps`);
  });
});
