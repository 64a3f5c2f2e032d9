/**
 * The README's "Using fnd as a library" example, taken from the README itself so the two cannot
 * drift apart, run as a user would: a script in a project that has fnd in node_modules, run with
 * tsx, on ISOT articles from the test fixtures. Run twice: initialising a model, then
 * fine-tuning the one the first run saved; and once with a label the example does not know.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { openCsv } from '../../src/text/csv.js';
import { repoRoot } from '../engine/project.js';

function readmeExample(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using fnd as a library'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('no ts block in the README library section');
  return match[1]!;
}

async function articles(file: string, label: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const event of (await openCsv(file)).rows) {
    if (event.type === 'row') lines.push(JSON.stringify({ text: `${event.values.title} ${event.values.text}`.slice(0, 600), label }));
  }
  return lines;
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-readme-lib-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"uses-fnd","private":true,"type":"module"}\n');
  mkdirSync(join(dir, 'node_modules'));
  // fnd installed as a dependency (a link to this checkout, as `npm install ../fnd` makes).
  symlinkSync(repoRoot, join(dir, 'node_modules', 'fnd'), 'dir');
  writeFileSync(join(dir, 'train.ts'), readmeExample());
  return dir;
}

async function runExample(cwd: string, args: string[]) {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  const result = await execa(process.execPath, ['--import', tsx, 'train.ts', ...args], { cwd, reject: false, env: { CI: '1' } });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const VOCAB = join(repoRoot, 'data/vocab/bert-base-uncased-vocab.txt');

describe('the README library example', () => {
  it('initialises, trains with steps evaluation, evaluates, saves and predicts; then fine-tunes the saved model', async () => {
    const dir = project();
    const fixture = join(repoRoot, 'test/fixtures/isot-mini');
    const rows = [...(await articles(join(fixture, 'Fake.csv'), 'fake')), ...(await articles(join(fixture, 'True.csv'), 'real'))];
    expect(rows.length).toBe(60);
    writeFileSync(join(dir, 'data.jsonl'), `${rows.join('\n')}\n`);

    const first = await runExample(dir, [VOCAB, 'data.jsonl', 'model-a']);
    expect(first.stderr).not.toMatch(/Error|FND_/);
    expect(first.code).toBe(0);
    // 48 training rows, batch 8: 6 steps an epoch, 18 in all; evaluated every 5 steps.
    expect(first.stdout).toContain('48 examples, 3 epoch(s) of 6 step(s) (batch 8 × accumulation 1), 18 steps in all');
    const summary = /best f1 ([\d.]+) at step (\d+); validation accuracy ([\d.]+)/.exec(first.stdout);
    expect(summary).not.toBeNull();
    expect([5, 10, 15]).toContain(Number(summary![2]));
    expect(Number(summary![1])).toBeGreaterThanOrEqual(0);
    expect(Number(summary![1])).toBeLessThanOrEqual(1);
    expect(first.stdout).toMatch(/prediction: (fake|real)/);
    const config = JSON.parse(readFileSync(join(dir, 'model-a', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'bert', hidden_size: 64, vocab_size: 30522, id2label: { 0: 'fake', 1: 'real' } });
    expect(existsSync(join(dir, 'model-a', 'model.safetensors'))).toBe(true);
    expect(existsSync(join(dir, 'model-a', 'vocab.txt'))).toBe(true);

    const second = await runExample(dir, [join(dir, 'model-a'), 'data.jsonl', 'model-b', join(dir, 'model-a')]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/best f1 [\d.]+ at step (5|10|15)/);
    expect(JSON.parse(readFileSync(join(dir, 'model-b', 'config.json'), 'utf8')).id2label).toEqual({ 0: 'fake', 1: 'real' });
  });

  it('reports a label it does not know as a typed error with its code, and a non-zero exit', async () => {
    const dir = project();
    const rows = Array.from({ length: 10 }, (_, i) => JSON.stringify({ text: `article number ${i}`, label: i === 3 ? 'satire' : i % 2 ? 'real' : 'fake' }));
    writeFileSync(join(dir, 'data.jsonl'), `${rows.join('\n')}\n`);
    const result = await runExample(dir, [VOCAB, 'data.jsonl', 'out']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^FND_DATA: train: train row 2 has no label; every train row needs one$/m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
