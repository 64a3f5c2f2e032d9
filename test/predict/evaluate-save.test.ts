import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import loadCsv from '../../stages/load-csv/index.js';
import cleanText from '../../stages/clean-text/index.js';
import concat from '../../stages/concat-title-text/index.js';
import tokenize from '../../stages/tokenize/index.js';
import evaluate from '../../stages/evaluate/index.js';
import save from '../../stages/save/index.js';
import { readTable } from '../../src/artifacts/table.js';
import { classificationMetrics, classificationReport } from '../../src/metrics/classification.js';
import { classificationMetricsRecord } from '../../src/metrics/record.js';
import { loadPredictor } from '../../src/predict/predictor.js';
import { readFndModelInfo } from '../../src/predict/fnd-json.js';
import type { Artifact } from '../../src/sdk/index.js';
import { initBackend } from '../../src/nn/backend/index.js';
import { FIXTURES, runStage, tableArtifact } from '../stages-data/run-stage.js';
import { NOTEBOOK_PREPARATION, VOCAB, tinyModelDir } from './helpers.js';

interface PredictionLine {
  id: string;
  label: number;
  predicted: number;
  probabilities: number[];
  confidence: number;
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T);
}

describe('evaluate and save on isot-mini with a tiny model', () => {
  let raw: Artifact;
  let tokens: Artifact;
  let model: Artifact;
  let evaluated: Awaited<ReturnType<typeof runStage>>;
  let exportDir: string;

  beforeAll(async () => {
    await initBackend();
    const files = [
      { path: 'Fake.csv', label: 0, label_name: 'fake' },
      { path: 'True.csv', label: 1, label_name: 'real' },
    ];
    raw = (await runStage(loadCsv, { files, columns: ['title', 'text', 'subject'] })).outputs.table!;
    const cleaned = (await runStage(cleanText, {}, { table: raw })).outputs.table!;
    const joined = (await runStage(concat, {}, { table: cleaned })).outputs.table!;
    tokens = (await runStage(tokenize, { tokenizer: VOCAB, max_length: 32 }, { table: joined })).outputs.tokens!;
    model = { ...tableArtifact(await tinyModelDir(), 'model') };
    const before = tf.memory().numTensors;
    evaluated = await runStage(evaluate, { batch_size: 7 }, { model, test: tokens, validation: tokens });
    // The model's weights and every batch are released: the engine is back where it started.
    expect(tf.memory().numTensors).toBe(before);
    exportDir = join(evaluated.outputs.predictions!.path, '..', '..', 'exports');
  }, 60_000);

  it('reports the metrics scikit-learn would compute from the exported predictions', () => {
    const predictions = readJsonl<PredictionLine>(join(exportDir, 'predictions-test.jsonl'));
    expect(predictions).toHaveLength(60);
    const yTrue = predictions.map((p) => p.label);
    const yPred = predictions.map((p) => p.predicted);
    const names = { '0': 'fake', '1': 'real' };
    const metrics = evaluated.result.metrics as Record<string, Record<string, unknown>>;
    const expected = classificationMetricsRecord(classificationMetrics(yTrue, yPred, { labelNames: names }));
    for (const [key, value] of Object.entries(expected)) expect(metrics.test![key]).toEqual(value);
    expect(metrics.test!.classification_report).toBe(classificationReport(yTrue, yPred, { labelNames: names, digits: 4 }));
    expect(readFileSync(join(exportDir, 'classification-report-test.txt'), 'utf8')).toBe(metrics.test!.classification_report);
    // Loss: mean cross-entropy of the true class.
    const loss = predictions.reduce((sum, p) => sum - Math.log(p.probabilities[p.label]!), 0) / predictions.length;
    expect(metrics.test!.loss as number).toBeCloseTo(loss, 9);
    expect(metrics.test!.examples_per_second as number).toBeGreaterThan(0);
    // The validation split was wired to the same tokens: the same numbers.
    expect(metrics.validation!.accuracy).toBe(metrics.test!.accuracy);
    expect(existsSync(join(exportDir, 'predictions-validation.jsonl'))).toBe(true);
  });

  it('saves each prediction with its row id, probabilities and confidence', async () => {
    const table = await readTable(evaluated.outputs.predictions!.path);
    expect(table.info.columns).toEqual(['id', 'label', 'predicted', 'probabilities', 'confidence']);
    expect(table.info.labels).toEqual({ '0': 'fake', '1': 'real' });
    const source = await readTable(raw.path);
    expect(table.rows.map((row) => row.id)).toEqual(source.rows.map((row) => row.id));
    for (const row of table.rows as unknown as PredictionLine[]) {
      expect(row.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(row.confidence).toBe(Math.max(...row.probabilities));
      expect(row.predicted).toBe(row.probabilities.indexOf(row.confidence));
    }
    expect((await readTable(evaluated.outputs.validation_predictions!.path)).rows).toEqual(table.rows);
    const svg = readFileSync(join(exportDir, 'confusion-test.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it('refuses a test split without labels, naming the row', async () => {
    const unlabelled = (await runStage(tokenize, { tokenizer: VOCAB, max_length: 32, label_field: 'none' }, { table: raw })).outputs.tokens!;
    await expect(runStage(evaluate, {}, { model, test: unlabelled })).rejects.toThrow('evaluate: input "test": row 1 has no label');
  });

  it('saves a folder predict can use, with the preparation the data went through', async () => {
    const userDir = join(mkdtempSync(join(tmpdir(), 'fnd-save-')), 'my-model');
    const saved = await runStage(save, { path: userDir }, { model, tokens }, { specDir: FIXTURES });
    const out = saved.outputs.model!.path;
    expect(readdirSync(out).sort()).toEqual(
      ['config.json', 'fnd.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'],
    );
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'bert', architectures: ['BertForSequenceClassification'], id2label: { 0: 'fake', 1: 'real' }, label2id: { fake: 0, real: 1 } });
    const info = await readFndModelInfo(out);
    expect(info).toEqual({
      preparation: NOTEBOOK_PREPARATION,
      tokenizer: { source: VOCAB, max_length: 32, truncation: true, text_field: 'text' },
      labels: { '0': 'fake', '1': 'real' },
      files: ['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'],
    });
    // Into the run folder (exports/model/) and the user's path, byte for byte.
    const exported = join(out, '..', '..', 'exports', 'model');
    for (const dir of [exported, userDir]) {
      // Buffer.equals: a deep toEqual over megabytes is slow.
      expect(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(out, 'model.safetensors')))).toBe(true);
      expect(readFileSync(join(dir, 'fnd.json'), 'utf8')).toBe(readFileSync(join(out, 'fnd.json'), 'utf8'));
    }
    // Saving again over an fnd model folder is allowed; over someone's other files it is not.
    await runStage(save, { path: userDir }, { model, tokens });
    const other = mkdtempSync(join(tmpdir(), 'fnd-other-'));
    writeFileSync(join(other, 'notes.txt'), 'mine');
    await expect(runStage(save, { path: other }, { model, tokens })).rejects.toThrow(/holds files save did not write \(notes\.txt\); refusing to overwrite them/);
    expect(readdirSync(other)).toEqual(['notes.txt']);

    // Raw rows (uncleaned, title and text apart) through predict give evaluate's probabilities.
    const predictor = await loadPredictor(out);
    try {
      const rows = (await readTable(raw.path)).rows.slice(0, 12);
      const predicted = await predictor.predict(rows.map((row) => ({ title: String(row.title), text: String(row.text) })), { batchSize: 5 });
      const byId = new Map((await readTable(evaluated.outputs.predictions!.path)).rows.map((row) => [row.id, row as unknown as PredictionLine]));
      rows.forEach((row, i) => {
        const expected = byId.get(row.id)!;
        expect(predicted[i]!.label).toBe(expected.predicted === 0 ? 'fake' : 'real');
        expect(predicted[i]!.probabilities.fake).toBeCloseTo(expected.probabilities[0]!, 5);
        expect(predicted[i]!.probabilities.real).toBeCloseTo(expected.probabilities[1]!, 5);
      });
    } finally {
      predictor.dispose();
    }
  }, 60_000);
});
