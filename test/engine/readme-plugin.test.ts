import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCsv } from '../../src/text/csv.js';
import { fnd, lastRun, makeProject, readJson, repoRoot } from './project.js';

async function countShort(file: string, minWords: number): Promise<number> {
  let short = 0;
  for await (const event of (await openCsv(file)).rows) {
    if (event.type === 'row' && event.values.text!.split(/\s+/).filter(Boolean).length < minWords) short += 1;
  }
  return short;
}

/** The README's plugin example, taken from the README itself so the two cannot drift apart. */
function readmePlugin(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Writing a stage plugin'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('no ts block in the README plugin section');
  return match[1]!;
}

describe('the README plugin example', () => {
  it('runs as a project stage plugin, importing fnd/sdk and fnd/artifacts, without a build step', async () => {
    const fixture = join(repoRoot, 'test/fixtures/isot-mini');
    const project = makeProject({
      'stages/drop-short/index.ts': readmePlugin(),
      'pipeline.yaml': `name: readme
stages:
  load:
    uses: load-csv
    with:
      files:
        - { path: ${JSON.stringify(join(fixture, 'Fake.csv'))}, label: 0 }
        - { path: ${JSON.stringify(join(fixture, 'True.csv'))}, label: 1 }
  drop-short:
    uses: drop-short
    inputs: { table: load }
    with: { min_words: 300 }
`,
    });
    const result = await fnd(project, ['run', 'pipeline.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const run = lastRun(project);
    const metrics = readJson(join(project, 'runs', run.id, 'metrics.json'));
    expect(metrics.load.rows).toBe(60);
    const dropped = metrics['drop-short'].dropped as number;
    const expected = (await countShort(join(fixture, 'Fake.csv'), 300)) + (await countShort(join(fixture, 'True.csv'), 300));
    expect(expected).toBeGreaterThan(0);
    expect(dropped).toBe(expected);
    expect(readFileSync(join(project, 'runs', run.id, 'dropped.txt'), 'utf8')).toBe(`${dropped}\n`);
    const listed = await fnd(project, ['stages', 'drop-short']);
    expect(listed.stdout).toMatch(/min_words \(integer, default 20\)/);
  });
});
