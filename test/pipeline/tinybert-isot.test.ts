/**
 * pipelines/tinybert-isot.yaml — the notebook as a pipeline — run for real through the CLI with
 * its data and weights in place: the isot-mini rows as ISOT, and a TinyBERT-shaped checkpoint
 * folder (4 layers, hidden 312, 12 heads, FFN 1200, vocab 30522; random weights, because the
 * Hub is out of reach here) as `huawei-noah/TinyBERT_General_4L_312D`. Short settings (length 64,
 * one epoch) keep it quick; the spec itself is the shipped one.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/nn/backend/index.js';
import { initModel } from '../../src/nn/bert/init.js';
import { loadTokenizer } from '../../src/text/tokenizer.js';
import { fnd, readJson, repoRoot } from '../engine/project.js';

async function tinybertShapedFolder(): Promise<string> {
  await initBackend();
  const dir = mkdtempSync(join(tmpdir(), 'fnd-tinybert-'));
  const model = initModel(
    { vocabSize: 30522, hiddenSize: 312, numHiddenLayers: 4, numAttentionHeads: 12, intermediateSize: 1200, maxPositionEmbeddings: 512 },
    { seed: 1 },
  );
  const tokenizer = await loadTokenizer(join(repoRoot, 'data/vocab/bert-base-uncased-vocab.txt'));
  await model.save(dir, { extraFiles: async (d: string) => void (await tokenizer.saveTo(d)) });
  model.dispose();
  return dir;
}

describe('pipelines/tinybert-isot.yaml', () => {
  it('runs every stage of the notebook with ISOT and a TinyBERT-shaped checkpoint in place', async () => {
    const weights = await tinybertShapedFolder();
    const env = { FND_CACHE_DIR: mkdtempSync(join(tmpdir(), 'fnd-cache-')), FND_RUNS_DIR: mkdtempSync(join(tmpdir(), 'fnd-runs-')) };
    const result = await fnd(
      repoRoot,
      [
        'run', 'pipelines/tinybert-isot.yaml',
        '--set', `vars.isot_dir=${join(repoRoot, 'test/fixtures/isot-mini')}`,
        '--set', `vars.model=${weights}`,
        '--set', 'vars.max_length=64',
        '--set', 'stages.train.with.num_train_epochs=1',
        '--set', 'stages.train.with.warmup_steps=1',
      ],
      { env },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [runId] = (await import('node:fs')).readdirSync(env.FND_RUNS_DIR);
    const runDir = join(env.FND_RUNS_DIR, runId!);
    const run = readJson(join(runDir, 'run.json'));
    expect(Object.keys(run.stages)).toEqual([
      'load-csv', 'clean-text', 'concat-title-text', 'split', 'tokenize-512.train', 'tokenize-512.validation', 'tokenize-512.test',
      'init-tinybert', 'train', 'evaluate', 'error-analysis', 'save',
    ]);
    expect(Object.values(run.stages).every((stage: any) => stage.status === 'ran')).toBe(true);
    // The notebook's hyperparameters, as the run recorded them (micro-batch 8 × 4 = its batch of 32).
    expect(run.params.train).toMatchObject({
      learning_rate: 5e-5, weight_decay: 0.01, per_device_train_batch_size: 8, gradient_accumulation_steps: 4,
      per_device_eval_batch_size: 64, load_best_model_at_end: true, metric_for_best_model: 'f1', early_stopping_patience: 2, seed: 42,
    });
    const metrics = readJson(join(runDir, 'metrics.json'));
    expect(metrics['init-tinybert'].parameters).toBe(14_350_874);
    expect(metrics['init-tinybert'].newly_initialized).toEqual([]);
    expect(metrics.evaluate.test.count).toBe(metrics.split.sizes.test);
    const saved = readJson(join(runDir, 'model', 'config.json'));
    expect(saved).toMatchObject({ model_type: 'bert', hidden_size: 312, num_hidden_layers: 4, id2label: { '0': 'fake', '1': 'real' } });
    for (const file of ['model.safetensors', 'vocab.txt', 'fnd.json']) expect(existsSync(join(runDir, 'model', file))).toBe(true);
    for (const file of ['report.md', 'confusion-test.svg', 'learning-curves.svg', 'predictions-test.jsonl', 'error-analysis.md']) {
      expect(existsSync(join(runDir, file))).toBe(true);
    }
  }, 600_000); // TinyBERT-shaped training at length 64: about two minutes on 2 busy cores
});
