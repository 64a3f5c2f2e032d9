/**
 * A LIAR-shaped dataset (headerless TSV, six string labels, its own train/valid/test files, a
 * latin-1 byte, stray quotes) through built-in stages only, via the real CLI: class names come
 * from the data into the saved model and the metrics; an id2label that contradicts the data
 * stops the run before training, wherever it is declared.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fnd, readJson, repoRoot } from '../engine/project.js';
import { writeLiar } from '../stages-data/liar-data.js';

const TOKENIZE = (split: string): string => `  tokenize-${split}:
    uses: tokenize
    inputs: { table: load-table.${split} }
    with: { tokenizer: vocab.txt, max_length: 32, text_field: statement }
`;

function spec(options: { labelMap?: string; initInputs?: string; id2label?: string }): string {
  return `name: liar
seed: 1
stages:
  load-table:
    uses: load-table
    with:
      splits: { train: train.tsv, validation: valid.tsv, test: test.tsv }
      header: false
      column_names: [id, label, statement, subject, speaker, context]
      quoting: none
      encoding: latin1
      id_column: id
      label_column: label
${options.labelMap ? `      label_map: ${options.labelMap}\n` : ''}${TOKENIZE('train')}${TOKENIZE('validation')}${TOKENIZE('test')}  init-bert:
    uses: init-bert
${options.initInputs ? `    inputs: ${options.initInputs}\n` : ''}    with:
      config: { vocab_size: 30522, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 }
${options.id2label ? `      id2label: ${options.id2label}\n` : ''}  train:
    uses: train
    inputs: { model: init-bert, train: tokenize-train, validation: tokenize-validation }
    with: { num_train_epochs: 1, per_device_train_batch_size: 4, learning_rate: 1.0e-3 }
  evaluate:
    uses: evaluate
    inputs: { model: train.model, test: tokenize-test }
  save:
    uses: save
    inputs: { model: train.model, tokens: tokenize-train }
`;
}

// Unquoted YAML: true/false are booleans there, taken as their text by label_map.
const BINARY = '{ pants-fire: false, false: false, barely-true: false, half-true: true, mostly-true: true, true: true }';
const SIX = { '0': 'barely-true', '1': 'false', '2': 'half-true', '3': 'mostly-true', '4': 'pants-fire', '5': 'true' };

describe('LIAR-shaped data through the CLI', () => {
  let project: string;
  let env: Record<string, string>;

  async function run(file: string, text: string): Promise<{ code: number; stdout: string; stderr: string; record: any }> {
    writeFileSync(join(project, file), text);
    const result = await fnd(project, ['run', file], { env });
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    const id = /run (\S+) (completed|failed)/.exec(result.stdout + result.stderr)?.[1];
    expect(id, result.stdout + result.stderr).toBeDefined();
    return { ...result, record: readJson(join(env.FND_RUNS_DIR!, id!, 'run.json')) };
  }

  beforeAll(() => {
    project = writeLiar();
    writeFileSync(join(project, 'package.json'), '{"name":"liar","private":true,"type":"module"}\n');
    copyFileSync(join(repoRoot, 'test/fixtures/vocab/vocab.txt'), join(project, 'vocab.txt'));
    env = { FND_CACHE_DIR: mkdtempSync(join(tmpdir(), 'fnd-liar-cache-')), FND_RUNS_DIR: mkdtempSync(join(tmpdir(), 'fnd-liar-runs-')) };
  });

  it('trains on six string labels with class names taken from the data, into metrics and the saved config.json', async () => {
    const { code, stdout, stderr, record } = await run('six.yaml', spec({ initInputs: '{ data: tokenize-train }' }));
    expect(code, stdout + stderr).toBe(0);
    expect(record.status).toBe('completed');
    const dir = join(env.FND_RUNS_DIR!, record.id);
    const config = readJson(join(dir, 'model/config.json'));
    expect(config.id2label).toEqual(SIX);
    expect(config.label2id).toEqual({ 'barely-true': 0, false: 1, 'half-true': 2, 'mostly-true': 3, 'pants-fire': 4, true: 5 });
    const metrics = readJson(join(dir, 'metrics.json'));
    expect(metrics['init-bert'].id2label).toEqual(SIX);
    expect(metrics['load-table'].classes).toEqual(SIX);
    for (const name of metrics.evaluate.test.labels) expect(Object.values(SIX)).toContain(name);
    expect(Object.keys(metrics.evaluate.test.per_class).every((name) => Object.values(SIX).includes(name))).toBe(true);
    expect(readJson(join(dir, 'model/fnd.json')).labels).toEqual(SIX);
  }, 120_000);

  it('stops at init-bert, before training, when its id2label swaps the classes of its data input', async () => {
    const { code, stderr, record } = await run('swapped.yaml', spec({ labelMap: BINARY, initInputs: '{ data: tokenize-train }', id2label: '{ "0": "true", "1": "false" }' }));
    expect(code).toBe(1);
    expect(stderr).toContain(
      'init-bert: class names disagree (class 0 is "true" in one and "false" in the other): init-bert\'s id2label says {0 true, 1 false} but the data (input "data" from tokenize-train) says {0 false, 1 true}; remove id2label to take the names from the data',
    );
    expect(record.stages['init-bert'].status).toBe('failed');
    expect(record.stages.train.status).not.toBe('ran');
    expect(existsSync(join(env.FND_RUNS_DIR!, record.id, 'model'))).toBe(false);
  }, 120_000);

  it('stops at train, before the first step, when init-bert is not wired to the data and its id2label contradicts it', async () => {
    const { code, stderr, record } = await run('unwired.yaml', spec({ labelMap: BINARY, id2label: '{ "0": "true", "1": "false" }' }));
    expect(code).toBe(1);
    expect(stderr).toContain(
      'train: class names disagree (class 0 is "true" in one and "false" in the other): the model\'s id2label (input "model" from init-bert) says {0 true, 1 false} but the training data (input "train" from tokenize-train) says {0 false, 1 true}',
    );
    expect(record.stages['init-bert'].status).toBe('ran');
    expect(record.stages.train.status).toBe('failed');
    expect(record.stages.evaluate.status).not.toBe('ran');
  }, 120_000);
});
