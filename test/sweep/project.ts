/**
 * A temp project for sweep, compare and report tests: the engine tests' number plugins plus a
 * fake `evaluate` stage that writes what the real one exports (predictions-test.jsonl,
 * history.json, nested test/validation metrics with a confusion matrix) from its params, so
 * every metric is known exactly: accuracy = quality + seed / 100, f1 = accuracy − 0.01.
 */
import { PLUGINS } from '../engine/project.js';

export { fnd, makeProject, readJson } from '../engine/project.js';

export const SWEEP_PLUGINS: Record<string, string> = {
  'stages/numbers/index.ts': PLUGINS['stages/numbers/index.ts']!,
  'stages/shuffle/index.ts': PLUGINS['stages/shuffle/index.ts']!,
  'stages/fake-eval/index.ts': `
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'fake-eval', version: '1', description: 'metrics and predictions as a function of quality and seed',
  params: { type: 'object', additionalProperties: false, properties: {
    quality: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
    seed: { type: 'integer' },
    block_seed: { type: 'integer', default: -1 },
    block_file: { type: 'string', default: '' },
    marker_file: { type: 'string', default: '' },
  } },
  inputs: { list: { kind: 'file' } }, outputs: { done: { kind: 'file' } },
  async run(ctx, _inputs, params) {
    // Blocks (until interrupted) for one seed while block_file exists: a sweep killed mid-way, on cue.
    if (params.seed === params.block_seed && params.block_file && existsSync(params.block_file)) {
      if (params.marker_file) writeFileSync(params.marker_file, 'blocked');
      while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 20));
      throw new Error('aborted');
    }
    writeFileSync(join(ctx.outputDir('done'), 'ok.txt'), 'ok');
    const accuracy = params.quality + params.seed / 100;
    const n = 20;
    const right = Math.round(accuracy * n);
    const lines = [];
    const cm = [[0, 0], [0, 0]];
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      const predicted = i < right ? label : 1 - label;
      cm[label][predicted] += 1;
      const confidence = 0.6 + (i % 4) / 10;
      const probabilities = predicted === 1 ? [1 - confidence, confidence] : [confidence, 1 - confidence];
      lines.push(JSON.stringify({ id: 'ex-' + i, label, predicted, probabilities, confidence }));
    }
    writeFileSync(join(ctx.exportDir, 'predictions-test.jsonl'), lines.join('\\n') + '\\n');
    const steps = [1, 2, 3, 4].map((step) => ({ step, epoch: step / 2, loss: 1 / (step + params.seed) + (1 - params.quality), learning_rate: 1e-4 * (1 - step / 5), grad_norm: 1 }));
    const epochs = [1, 2].map((epoch) => ({ epoch, train_loss: 0.5 / epoch, metrics: { accuracy: accuracy - 0.05 / epoch, f1: accuracy - 0.01 - 0.05 / epoch, loss: 0.4 / epoch } }));
    writeFileSync(join(ctx.exportDir, 'history.json'), JSON.stringify({ steps, epochs, best: { epoch: 2 } }));
    const split = { accuracy, f1: accuracy - 0.01, precision: accuracy, recall: accuracy, confusion_matrix: cm, labels: ['fake', 'real'] };
    return { metrics: { test: split, validation: { ...split, accuracy: accuracy + 0.01 } } };
  },
};
`,
};

export const SWEEP_SPEC = `name: lr-seed
seed: 1
stages:
  numbers:
    uses: numbers
  shuffle:
    uses: shuffle
    inputs: { list: numbers.list }
  evaluate:
    uses: fake-eval
    inputs: { list: shuffle.list }
matrix:
  evaluate.with.quality: [0.5, 0.7]
  seed: [1, 2, 3]
`;
