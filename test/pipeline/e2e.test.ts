/**
 * The whole pipeline through the real CLI, as a user runs it: load-csv … save on a few dozen
 * isot-mini rows with a 1-layer, hidden-16 BERT; then a fully cached re-run, a seed change that
 * reruns only the stages downstream of train, and `fnd predict` on the saved model.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../src/metrics/classification.js';
import { classificationMetricsRecord } from '../../src/metrics/record.js';
import { fnd, readJson, repoRoot } from '../engine/project.js';

const FIXTURES = join(repoRoot, 'test/fixtures');

const SPEC = `name: tiny
seed: 42
vars:
  max_length: 32
stages:
  load-csv:
    uses: load-csv
    with:
      files:
        - { path: data/Fake.csv, label: 0, label_name: fake }
        - { path: data/True.csv, label: 1, label_name: real }
      columns: [title, text, subject]
  clean-text:
    uses: clean-text
    inputs: { table: load-csv }
  concat-title-text:
    uses: concat-title-text
    inputs: { table: clean-text }
  split:
    uses: split
    inputs: { table: concat-title-text }
  tokenize-train:
    uses: tokenize
    inputs: { table: split.train }
    with: { tokenizer: vocab.txt, max_length: "\${{ vars.max_length }}" }
  tokenize-validation:
    uses: tokenize
    inputs: { table: split.validation }
    with: { tokenizer: vocab.txt, max_length: "\${{ vars.max_length }}" }
  tokenize-test:
    uses: tokenize
    inputs: { table: split.test }
    with: { tokenizer: vocab.txt, max_length: "\${{ vars.max_length }}" }
  init-bert:
    uses: init-bert
    with:
      config: { vocab_size: 30522, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 }
      id2label: { "0": fake, "1": real }
  train:
    uses: train
    inputs: { model: init-bert, train: tokenize-train, validation: tokenize-validation }
    with: { num_train_epochs: 2, per_device_train_batch_size: 8, learning_rate: 1.0e-3, logging_steps: 2, load_best_model_at_end: true, metric_for_best_model: f1 }
  evaluate:
    uses: evaluate
    inputs: { model: train.model, test: tokenize-test, validation: tokenize-validation }
  error-analysis:
    uses: error-analysis
    inputs: { predictions: evaluate.predictions, test: split.test, train: split.train }
  save:
    uses: save
    inputs: { model: train.model, tokens: tokenize-train }
`;

const STAGES = [
  'load-csv', 'clean-text', 'concat-title-text', 'split', 'tokenize-train', 'tokenize-validation', 'tokenize-test',
  'init-bert', 'train', 'evaluate', 'error-analysis', 'save',
];

interface RunRecord {
  id: string;
  status: string;
  stages: Record<string, { status: string; reason?: string }>;
}

function statuses(record: RunRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(record.stages).map(([id, s]) => [id, s.status]));
}

describe('the tiny pipeline through the CLI', () => {
  let project: string;
  let env: Record<string, string>;
  const runs: RunRecord[] = [];
  const runDir = (record: RunRecord): string => join(env.FND_RUNS_DIR!, record.id);

  async function run(args: string[] = []): Promise<RunRecord> {
    const result = await fnd(project, ['run', 'pipeline.yaml', ...args], { env });
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const id = /run (\S+) completed/.exec(result.stdout)?.[1];
    expect(id, result.stdout).toBeDefined();
    return readJson<RunRecord>(join(env.FND_RUNS_DIR!, id!, 'run.json'));
  }

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'fnd-e2e-'));
    writeFileSync(join(project, 'package.json'), '{"name":"e2e","private":true,"type":"module"}\n');
    writeFileSync(join(project, 'pipeline.yaml'), SPEC);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(project, 'data'));
    for (const file of ['Fake.csv', 'True.csv']) copyFileSync(join(FIXTURES, 'isot-mini', file), join(project, 'data', file));
    copyFileSync(join(FIXTURES, 'vocab/vocab.txt'), join(project, 'vocab.txt'));
    env = { FND_CACHE_DIR: mkdtempSync(join(tmpdir(), 'fnd-e2e-cache-')), FND_RUNS_DIR: mkdtempSync(join(tmpdir(), 'fnd-e2e-runs-')) };
    runs.push(await run());
    runs.push(await run());
    runs.push(await run(['--set', 'stages.train.with.seed=7']));
  }, 150_000);

  it('runs every stage, then restores every stage from the cache', () => {
    expect(Object.keys(runs[0]!.stages)).toEqual(STAGES);
    expect(Object.values(statuses(runs[0]!))).toEqual(STAGES.map(() => 'ran'));
    expect(runs[0]!.status).toBe('completed');
    // The reasons show up on failure (e.g. a source file edited between the runs).
    expect(statuses(runs[1]!), JSON.stringify(runs[1]!.stages)).toEqual(Object.fromEntries(STAGES.map((id) => [id, 'cached'])));
  });

  it('reruns only train and what depends on it when train.with.seed changes', () => {
    const ran = Object.entries(statuses(runs[2]!)).filter(([, s]) => s === 'ran').map(([id]) => id);
    // init-bert has its own seed (default: the spec's), so the same starting weights are reused.
    expect(ran).toEqual(['train', 'evaluate', 'error-analysis', 'save']);
    expect(runs[2]!.stages.train!.reason).toMatch(/seed/);
  });

  it('writes the report, plots, predictions and the saved model into every run folder', () => {
    for (const record of runs) {
      const dir = runDir(record);
      for (const file of ['report.md', 'confusion-test.svg', 'learning-curves.svg', 'predictions-test.jsonl', 'predictions-validation.jsonl',
        'classification-report-test.txt', 'error-analysis.md', 'model/config.json', 'model/model.safetensors', 'model/vocab.txt', 'model/fnd.json']) {
        expect(existsSync(join(dir, file)), `${record.id}/${file}`).toBe(true);
      }
    }
    const report = readFileSync(join(runDir(runs[0]!), 'report.md'), 'utf8');
    expect(report).toContain('### evaluate');
    expect(report).toContain('confusion-test.svg');
    const info = readJson(join(runDir(runs[0]!), 'model/fnd.json'));
    expect(info.tokenizer).toEqual({ source: 'vocab.txt', max_length: 32, truncation: true, text_field: 'text' });
    expect(info.preparation.map((step: { stage: string }) => step.stage)).toEqual(['clean-text', 'concat-title-text']);
    expect(info.labels).toEqual({ '0': 'fake', '1': 'real' });
  });

  it("records evaluate's metrics as scikit-learn computes them from the exported predictions", () => {
    const dir = runDir(runs[0]!);
    const lines = readFileSync(join(dir, 'predictions-test.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const metrics = readJson(join(dir, 'metrics.json')).evaluate;
    const expected = classificationMetricsRecord(
      classificationMetrics(lines.map((p: { label: number }) => p.label), lines.map((p: { predicted: number }) => p.predicted), { labelNames: { '0': 'fake', '1': 'real' } }),
    );
    for (const [key, value] of Object.entries(expected)) expect(metrics.test[key]).toEqual(value);
    expect(metrics.test.count).toBe(lines.length);
    expect(typeof metrics.test.loss).toBe('number');
    expect(metrics.validation.count).toBeGreaterThan(0);
  });

  it('classifies new text with fnd predict, from the run folder or the run id', async () => {
    const model = join(runDir(runs[0]!), 'model');
    const one = await fnd(project, ['predict', model, 'Senate passes the budget The Senate on Tuesday passed a budget bill.'], { env });
    expect(one.code, one.stderr).toBe(0);
    const lines = one.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(['fake', 'real']).toContain(lines[0].label);
    expect(Object.keys(lines[0].probabilities).sort()).toEqual(['fake', 'real']);
    expect(lines[0].probabilities.fake + lines[0].probabilities.real).toBeCloseTo(1, 12);

    writeFileSync(join(project, 'texts.jsonl'), '{"title": "Senate passes the budget", "text": "WASHINGTON (Reuters) - The Senate passed a budget."}\n\n{"text": "You will not believe this"}\n');
    const byRun = await fnd(project, ['predict', runs[0]!.id, '--file', 'texts.jsonl'], { env });
    expect(byRun.code, byRun.stderr).toBe(0);
    const predicted = byRun.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(predicted).toHaveLength(2);
    for (const p of predicted) expect(p.probabilities.fake + p.probabilities.real).toBeCloseTo(1, 12);
    // Each result echoes its input: the line number (line 2 is blank) and the start of the text.
    expect(predicted.map((p) => [p.id, p.input])).toEqual([
      [1, 'Senate passes the budget — WASHINGTON (Reuters) - The Senate passed a budget.'],
      [3, 'You will not believe this'],
    ]);

    writeFileSync(join(project, 'ids.jsonl'), `{"id": "liar-1", "text": "${'Long statement '.repeat(10)}"}\n{"id": "x", "text": "short"}\n`);
    const table = await fnd(project, ['predict', model, '--file', 'ids.jsonl', '--table'], { env });
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.split('\n').filter((l) => l !== '');
    expect(rows[0]).toMatch(/^id\s+label\s+confidence\s+input$/);
    expect(rows).toHaveLength(4);
    // Aligned: every column starts at the same offset on every line.
    const starts = (line: string) => [line.indexOf(' fake') >= 0 ? line.indexOf(' fake') : line.indexOf(' real')];
    expect(new Set(rows.slice(2).map(starts).flat()).size).toBe(1);
    expect(rows[2]!.startsWith('liar-1  ')).toBe(true);
    expect(rows[2]!.endsWith('Long statement Long statement Long…')).toBe(true);
    expect(Array.from(rows[2]!.slice(rows[2]!.indexOf('Long'))).length).toBe(80);
    expect(rows[3]!.startsWith('x       ')).toBe(true);
    expect(rows[3]!.endsWith('short')).toBe(true);
    expect(rows[3]!.indexOf('short')).toBe(rows[2]!.indexOf('Long'));

    const missing = await fnd(project, ['predict', 'runs/nope/model', 'some text'], { env });
    expect(missing.code).toBe(2);
    // One line, no stack (execa strips the final newline).
    expect(missing.stderr).toBe(`error: model folder not found: ${join(project, 'runs/nope/model')}`);

    writeFileSync(join(project, 'bad.jsonl'), '{"text": "fine"}\n{"text": oops}\n');
    const bad = await fnd(project, ['predict', model, '--file', 'bad.jsonl'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`^error: ${join(project, 'bad.jsonl').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:1: not valid JSON`));
  }, 60_000);
});
