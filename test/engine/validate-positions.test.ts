/**
 * `fnd validate` checks tokenize's max_length against the model's max_position_embeddings when
 * the spec fixes both: a model folder's config.json, or a fresh model's config.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fnd, makeProject, repoRoot } from './project.js';

const vocab = join(repoRoot, 'data/vocab/bert-base-uncased-vocab.txt');

const spec = (model: string) => `name: positions
vars: { max_length: 128 }
stages:
  load-csv:
    uses: load-csv
    with: { files: [{ path: data/all.csv, label: 0 }] }
  split:
    uses: split
    inputs: { table: load-csv }
  tokenize:
    uses: tokenize
    foreach: [train, validation, test]
    inputs: { table: "split.\${{ item }}" }
    with: { tokenizer: ${vocab}, max_length: "\${{ vars.max_length }}" }
  init-bert:
    uses: init-bert
    with:
${model}
  train:
    uses: train
    inputs: { model: init-bert, train: tokenize.train, validation: tokenize.validation }
  evaluate:
    uses: evaluate
    inputs: { model: train.model, test: tokenize.test }
`;

describe('validate: max_length against the model\'s positions', () => {
  it('reads a model folder\'s config.json', async () => {
    const project = makeProject({ 'folder.yaml': spec('      model: tiny-model') });
    mkdirSync(join(project, 'tiny-model'));
    writeFileSync(join(project, 'tiny-model', 'config.json'), JSON.stringify({ model_type: 'bert', max_position_embeddings: 64, hidden_size: 8 }));
    const result = await fnd(project, ['validate', 'folder.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: ${join(project, "folder.yaml")}:19:3: stages.train: tokens of "tokenize.train" (max_length 128) and "tokenize.validation" (max_length 128) are longer than the 64 positions ` +
        `of the model of "init-bert" (max_position_embeddings, from ${join(project, 'tiny-model', 'config.json')}); tokenize with max_length <= 64`,
    );
    // Reported once: evaluate reads train's model, whose problem is already told.
    expect(result.stderr.split('\n')).toHaveLength(1);
    const fits = await fnd(project, ['validate', 'folder.yaml', '--set', 'vars.max_length=64']);
    expect(fits.stderr).toBe('');
    expect(fits.code).toBe(0);
    // run stops the same way, before any stage runs.
    const run = await fnd(project, ['run', 'folder.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('are longer than the 64 positions');
  }, 60_000);

  it('reads a fresh model\'s config, or BERT\'s default of 512 when the config does not say', async () => {
    const project = makeProject({
      'fresh.yaml': spec('      config: { vocab_size: 30522, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 1, intermediate_size: 8, max_position_embeddings: 32 }'),
      'default.yaml': spec('      config: { vocab_size: 30522, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 1, intermediate_size: 8 }'),
      'hub.yaml': spec('      model: some-org/not-downloaded-model'),
    });
    const fresh = await fnd(project, ['validate', 'fresh.yaml']);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain('longer than the 32 positions of the model of "init-bert" (max_position_embeddings, from config.max_position_embeddings); tokenize with max_length <= 32');
    const byDefault = await fnd(project, ['validate', 'default.yaml', '--set', 'vars.max_length=1024']);
    expect(byDefault.code).toBe(2);
    expect(byDefault.stderr).toContain('(max_length 1024) are longer than the 512 positions of the model of "init-bert" (max_position_embeddings, from the BERT default for a fresh model)');
    expect((await fnd(project, ['validate', 'default.yaml', '--set', 'vars.max_length=512'])).code).toBe(0);
    // A model that is not here yet says nothing statically; training checks it.
    const hub = await fnd(project, ['validate', 'hub.yaml'], { env: { HF_HUB_CACHE: join(project, 'no-cache') } });
    expect(hub.stderr).toBe('');
    expect(hub.code).toBe(0);
  }, 60_000);
});
