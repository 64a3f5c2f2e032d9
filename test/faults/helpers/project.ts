/**
 * The fault suite's project: load-csv → split → tokenize → init-bert → train → save on the
 * isot-mini rows with a 1-layer, hidden-16 BERT (seconds per run), and the checks every fault
 * test makes of what a failure left behind.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fnd, repoRoot } from '../../engine/project.js';

export { fnd, repoRoot };

const FIXTURES = join(repoRoot, 'test/fixtures');

/**
 * The start every fault spec shares: the fixture's Fake/True rows loaded (with `loadWith`, extra
 * lines of load-csv's params) and split. Stages after it are appended by each test.
 */
export function loadAndSplitSpec(name: string, options: { seed?: number; loadWith?: string } = {}): string {
  return `name: ${name}
${options.seed !== undefined ? `seed: ${options.seed}\n` : ''}stages:
  load-csv:
    uses: load-csv
    with:
      files:
        - { path: data/Fake.csv, label: 0, label_name: fake }
        - { path: data/True.csv, label: 1, label_name: real }
${options.loadWith ? `      ${options.loadWith}\n` : ''}  split:
    uses: split
    inputs: { table: load-csv }
`;
}

/** The tokenize stage over the training split, appended after loadAndSplitSpec. */
export const TOKENIZE_TRAIN = `  tokenize-train:
    uses: tokenize
    inputs: { table: split.train }
    with: { tokenizer: vocab.txt, max_length: 32 }
`;

export const SPEC = `${loadAndSplitSpec('faults', { seed: 42, loadWith: 'columns: [title, text]' })}${TOKENIZE_TRAIN}  init-bert:
    uses: init-bert
    with:
      config: { vocab_size: 30522, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 512 }
      id2label: { "0": fake, "1": real }
  train:
    uses: train
    inputs: { model: init-bert, train: tokenize-train }
    with: { num_train_epochs: 1, per_device_train_batch_size: 16, learning_rate: 1.0e-3, eval_strategy: "no", load_best_model_at_end: false }
  save:
    uses: save
    inputs: { model: train.model, tokens: tokenize-train }
`;

export function makeFaultProject(spec = SPEC): string {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-faults-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"faults","private":true,"type":"module"}\n');
  writeFileSync(join(dir, 'spec.yaml'), spec);
  copyFileSync(join(FIXTURES, 'vocab/vocab.txt'), join(dir, 'vocab.txt'));
  for (const name of ['Fake.csv', 'True.csv']) {
    mkdirSync(join(dir, 'data'), { recursive: true });
    copyFileSync(join(FIXTURES, 'isot-mini', name), join(dir, 'data', name));
  }
  return dir;
}

export type FndResult = Awaited<ReturnType<typeof fnd>>;

/** Every file path under `dir` (relative), folders included with a trailing slash. */
export function listTree(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(`${rel}/`, ...listTree(join(dir, entry.name), `${rel}/`));
    else out.push(rel);
  }
  return out;
}

/** Signatures of the committed entries of a cache (folders holding a COMMITTED marker). */
export function committedEntries(cacheDir: string): string[] {
  return listTree(join(cacheDir, 'cache'))
    .filter((path) => path.endsWith('/COMMITTED'))
    .map((path) => path.split('/')[1]!)
    .sort();
}

/** What a failed or killed attempt must not leave in the cache: held locks, work folders, staging, temp files. */
export function leftovers(cacheDir: string): string[] {
  const locks = listTree(join(cacheDir, 'locks')).filter((p) => p.endsWith('.lock')).map((p) => `locks/${p}`);
  const tmp = listTree(join(cacheDir, 'tmp')).map((p) => `tmp/${p}`);
  const staging = listTree(join(cacheDir, 'cache')).filter((p) => /(^|\/)\.[^/]*staging/.test(p)).map((p) => `cache/${p}`);
  const temps = listTree(cacheDir).filter((p) => /\.tmp(\/|$)|\.tmp-\d+/.test(p));
  return [...locks, ...tmp, ...staging, ...temps];
}

/** No stack trace and no "internal error": a user-caused failure ends in one clear message. */
export function expectNoStackTrace(result: FndResult): void {
  const output = `${result.stdout}\n${result.stderr}`;
  expect(output).not.toMatch(/^\s+at .+[(:]\d+/m);
  expect(output).not.toContain('internal error');
}

export function runRecords(project: string, runsDir = join(project, 'runs')): any[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .sort()
    .filter((id) => existsSync(join(runsDir, id, 'run.json')))
    .map((id) => JSON.parse(readFileSync(join(runsDir, id, 'run.json'), 'utf8')));
}

export function lastRecord(project: string): any {
  const records = runRecords(project);
  return records[records.length - 1];
}

/**
 * The status a run killed with SIGKILL has in its record. Today run.json keeps "running" (nothing
 * is left alive to update it); the `core` branch (issue 12 item 4) makes fnd record such a run as
 * "crashed" once it notices the dead pid. Change this helper, and only it, when that lands.
 */
export function expectKilledRunStatus(record: { status: string }): void {
  expect(['running', 'crashed']).toContain(record.status);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
