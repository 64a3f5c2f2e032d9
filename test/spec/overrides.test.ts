import { describe, expect, it } from 'vitest';
import { loadSpec, parseOverride } from '../../src/spec/index.js';
import { specDir, userError } from './helpers.js';

const files = specDir();

const spec = `name: sets
seed: 1
vars:
  n: 3
  word: hi
stages:
  train:
    uses: train
    with:
      learning_rate: 5.0e-5
      epochs: "\${{ vars.n }}"
      note: "n=\${{ vars.n }}"
      schedule: [1, 2, 3]
`;

const load = (sets: string[]) => loadSpec(files.write('sets.yaml', spec), { sets });
const trainWith = async (sets: string[]) => (await load(sets)).resolved.stages[0]!.with;

describe('--set', () => {
  it('parses values as YAML: numbers, booleans, lists, strings', async () => {
    expect(await trainWith(['stages.train.with.learning_rate=3e-5', 'stages.train.with.fp16=true', 'stages.train.with.schedule=[1, 2]', 'stages.train.with.name=bert'])).toEqual({
      learning_rate: 3e-5,
      epochs: 3,
      note: 'n=3',
      schedule: [1, 2],
      fp16: true,
      name: 'bert',
    });
    expect(parseOverride('a.b={x: 1, y: [true, null]}').value).toEqual({ x: 1, y: [true, null] });
    expect(parseOverride('a=').value).toBe('');
    expect(parseOverride('a="007"').value).toBe('007');
  });

  it('accepts the shorthand STAGE.with.PARAM, and list indices', async () => {
    expect(await trainWith(['train.with.epochs=7', 'train.with.schedule.1=9'])).toMatchObject({ epochs: 7, schedule: [1, 9, 3] });
  });

  it('vars overrides flow into every use, and seed is a top-level key', async () => {
    const loaded = await load(['vars.n=10', 'seed=7']);
    expect(loaded.resolved.stages[0]!.with).toMatchObject({ epochs: 10, note: 'n=10' });
    expect(loaded.resolved.seed).toBe(7);
    expect(loaded.resolved.vars).toEqual({ n: 10, word: 'hi' });
    expect(loaded.overrides).toEqual([
      { text: 'vars.n=10', path: ['vars', 'n'], value: 10, source: 'set' },
      { text: 'seed=7', path: ['seed'], value: 7, source: 'set' },
    ]);
    // What was given stays as written.
    expect((loaded.given as { vars: unknown }).vars).toEqual({ n: 3, word: 'hi' });
  });

  it('locates values that came from --set at the --set', async () => {
    const loaded = await load(['train.with.epochs=7', 'train.with.extra.deep=1']);
    expect(loaded.locate(['stages', 'train', 'with', 'epochs'])).toEqual({ file: '--set train.with.epochs=7' });
    expect(loaded.locate(['stages', 'train', 'with', 'extra'])).toEqual({ file: '--set train.with.extra.deep=1' });
    expect(loaded.locate(['stages', 'train', 'with', 'note'])).toMatchObject({ line: 12, col: 7 });
  });

  it('rejects malformed overrides with exit code 2', async () => {
    const cases: [string, string][] = [
      ['train.with.epochs', '--set train.with.epochs: missing "="; expected PATH=VALUE, e.g. stages.train.with.learning_rate=3e-5, train.with.seed=7 or vars.x=1'],
      ['train..epochs=1', '--set train..epochs=1: empty path segment in "train..epochs"; expected PATH=VALUE, e.g. stages.train.with.learning_rate=3e-5, train.with.seed=7 or vars.x=1'],
      ['seed.x=1', '--set seed.x=1: cannot set "seed.x": seed is number 1, not a map'],
      ['train.with.learning_rate.x=1', '--set train.with.learning_rate.x=1: cannot set "stages.train.with.learning_rate.x": stages.train.with.learning_rate is number 0.00005, not a map'],
      ['train.with.schedule.5=1', '--set train.with.schedule.5=1: stages.train.with.schedule is a list of 3; "5" is not an index into it'],
      ['trian.with.seed=7', '--set trian.with.seed=7: "trian" is neither a stage id nor a top-level key (name, description, seed, vars, stages, matrix); did you mean "train"?'],
      ['stages.trian.with.seed=7', '--set stages.trian.with.seed=7: there is no stage "trian"; did you mean "train"?'],
    ];
    for (const [set, message] of cases) {
      const error = await userError(() => load([set]));
      expect(error.message).toBe(message);
      expect(error.exitCode).toBe(2);
    }
    const typo = await userError(() => load(['vars.max_lenght=256']));
    expect(typo.message).toBe('--set vars.max_lenght=256: unknown variable "vars.max_lenght" (the spec\'s vars: n, word)');
    expect((await userError(() => load(['vars.wrod=x']))).message).toBe('--set vars.wrod=x: unknown variable "vars.wrod"; did you mean "word"?');
    expect((await userError(() => load(['vars.n=1', 'vars.nn.x=1']))).message).toBe('--set vars.nn.x=1: unknown variable "vars.nn"; did you mean "n"?');
    expect((await userError(() => load(['stages.train.wtih.x=1']))).message).toMatch(/^--set stages\.train\.wtih\.x=1: stages\.train\.wtih: unknown key "wtih" in stage "train"; did you mean "with"\?$/);
    const bad = await userError(() => load(['vars.n=[1, 2']));
    expect(bad.message).toMatch(/^--set vars\.n=\[1, 2: cannot parse value "\[1, 2" as YAML: /);
  });
});
