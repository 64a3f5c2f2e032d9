import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prepareText } from '../../src/predict/prepare-text.js';
import { parseFndModelInfo } from '../../src/predict/fnd-json.js';
import { readInputs } from '../../src/predict/read-inputs.js';
import { resolveModelRef } from '../../src/cli/model-ref.js';
import { NOTEBOOK_PREPARATION } from './helpers.js';

describe('prepareText', () => {
  it('cleans the text, then joins title and text as the pipeline did', () => {
    const text = 'WASHINGTON (Reuters) - The Senate voted. Featured image via Getty';
    expect(prepareText({ title: 'Senate votes', text }, NOTEBOOK_PREPARATION)).toBe('Senate votes The Senate voted.');
  });

  it('skips the concatenation for a text-only input', () => {
    expect(prepareText({ text: 'LONDON (Reuters) - Hello @someone' }, NOTEBOOK_PREPARATION)).toBe('Hello ');
  });

  it('follows the column names of the notebook\'s pre-split data', () => {
    const steps = [{ stage: 'concat-title-text' as const, title_field: 'title', text_field: 'enhanced_cleaned_text', output_field: 'text', separator: ' | ' }];
    expect(prepareText({ title: 'T', text: 'body' }, steps)).toBe('T | body');
    expect(prepareText({ text: 'body' }, steps)).toBe('body');
  });

  it('leaves text alone without a recorded preparation', () => {
    expect(prepareText({ title: 'T', text: 'WASHINGTON (Reuters) - x' }, [])).toBe('WASHINGTON (Reuters) - x');
  });
});

describe('fnd.json', () => {
  it('names an unknown preparation step and its place', () => {
    expect(() => parseFndModelInfo({ preparation: [{ stage: 'stem-words' }] }, 'm/fnd.json')).toThrow(
      'm/fnd.json: preparation[0]: unknown preparation step "stem-words"',
    );
    expect(() => parseFndModelInfo({ preparation: [{ stage: 'clean-text', rules: ['nope'] }] }, 'm/fnd.json')).toThrow(/"rules" of the clean-text step/);
  });
});

describe('predict inputs', () => {
  it('reads title/text lines, skips blank ones, and names the line of a bad one', async () => {
    const good = await readInputs({ file: '<stdin>', stream: Readable.from(['{"title": "T", "text": "a"}\n\n{"text": "b"}\n']) });
    // Each input is known by its own id, else by its line number.
    expect(good).toEqual([{ title: 'T', text: 'a', id: 1 }, { text: 'b', id: 3 }]);
    const ids = await readInputs({ file: 'in.jsonl', stream: Readable.from(['{"id": "liar-7", "text": "a"}\n{"id": 12, "text": "b"}\n']) });
    expect(ids.map((input) => input.id)).toEqual(['liar-7', 12]);
    await expect(readInputs({ file: 'in.jsonl', stream: Readable.from(['{"id": [1], "text": "a"}\n']) })).rejects.toThrow('in.jsonl:1:1: "id" is not a string or a number ([1])');
    await expect(readInputs({ file: 'in.jsonl', stream: Readable.from(['{"text": "a"}\n{"title": "x"}\n']) })).rejects.toThrow('in.jsonl:2:1: "text" is missing');
    await expect(readInputs({ file: 'in.jsonl', stream: Readable.from(['{"text": "a"}\n\n[1\n']) })).rejects.toThrow(/^in\.jsonl:3:1: not valid JSON/);
  });

  it('resolves a model folder, a run folder and a run id; a folder without config.json is refused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fnd-ref-'));
    const runs = join(root, 'runs');
    const run = join(runs, '20260101-000000-000-demo');
    mkdirSync(join(run, 'model'), { recursive: true });
    writeFileSync(join(run, 'model', 'config.json'), '{}');
    const record = { id: '20260101-000000-000-demo', status: 'completed', startedAt: '2026-01-01T00:00:00.000Z', stages: {}, params: {} };
    writeFileSync(join(run, 'run.json'), JSON.stringify(record));
    const options = { cwd: root, env: { FND_RUNS_DIR: runs } };
    expect(await resolveModelRef(join(run, 'model'), options)).toBe(join(run, 'model'));
    expect(await resolveModelRef(run, options)).toBe(join(run, 'model'));
    expect(await resolveModelRef('latest', options)).toBe(join(run, 'model'));
    expect(await resolveModelRef('20260101', options)).toBe(join(run, 'model'));
    mkdirSync(join(root, 'empty'));
    await expect(resolveModelRef('empty', options)).rejects.toThrow(`${join(root, 'empty')} is not a model folder: it has no config.json`);
    await expect(resolveModelRef('nothing-like-this', options)).rejects.toThrow(/model "nothing-like-this" is neither a folder nor a run: no run matches/);
  });
});
