import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGINS, fnd, lastRun, makeProject, readJson } from './project.js';

/** A stage with two outputs (like split's train/test), each from its own param. */
const SPLITS_PLUGIN = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'splits', version: '1', description: 'writes 1..n for each output',
  params: { type: 'object', additionalProperties: false, properties: { train: { type: 'integer' }, test: { type: 'integer' } } },
  inputs: {}, outputs: { train: { kind: 'file' }, test: { kind: 'file' } },
  async run(ctx, _inputs, params) {
    for (const port of ['train', 'test']) {
      const values = Array.from({ length: params[port] }, (_, i) => i + 1);
      writeFileSync(join(ctx.outputDir(port), 'values.json'), JSON.stringify(values));
    }
  },
};
`;

const SPEC = `name: parts
vars: { splits: [train, test] }
stages:
  splits:
    uses: splits
    with: { train: 4, test: 2 }
  sum:
    uses: sum
    foreach: "\${{ vars.splits }}"
    inputs: { list: "splits.\${{ item }}" }
  sum-again:
    uses: sum
    foreach: { train: 1000, test: 2000 }
    inputs: { list: "splits.\${{ key }}" }
    with: { offset: "\${{ item }}" }
`;

function statuses(run: any): Record<string, string> {
  return Object.fromEntries(Object.entries(run.stages).map(([id, s]: [string, any]) => [id, s.status]));
}

describe('foreach through the engine', () => {
  it('caches each part on its own: a change to one split reruns only its parts', async () => {
    const project = makeProject({ ...PLUGINS, 'stages/splits/index.ts': SPLITS_PLUGIN, 'pipeline.yaml': SPEC });
    const first = await fnd(project, ['run', 'pipeline.yaml']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const run1 = lastRun(project);
    expect(statuses(run1)).toEqual({ splits: 'ran', 'sum.train': 'ran', 'sum.test': 'ran', 'sum-again.train': 'ran', 'sum-again.test': 'ran' });
    const metrics = readJson(join(project, 'runs', run1.id, 'metrics.json'));
    expect(metrics).toEqual({ 'sum.train': { total: 10 }, 'sum.test': { total: 3 }, 'sum-again.train': { total: 1010 }, 'sum-again.test': { total: 2003 } });
    // Each part exports into its own folder: the parts' total.txt do not overwrite each other.
    expect(readFileSync(join(project, 'runs', run1.id, 'sum.train', 'total.txt'), 'utf8')).toBe('10');
    expect(readFileSync(join(project, 'runs', run1.id, 'sum-again.test', 'total.txt'), 'utf8')).toBe('2003');

    // The test split changes; the train split's bytes do not, so its parts stay cached.
    const status = await fnd(project, ['status', 'pipeline.yaml', '--set', 'splits.with.test=3']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/sum\.test\s+sum\s+will run\s+upstream stage splits runs first/);
    const second = await fnd(project, ['run', 'pipeline.yaml', '--set', 'splits.with.test=3']);
    expect(second.code).toBe(0);
    const run2 = lastRun(project);
    expect(statuses(run2)).toEqual({ splits: 'ran', 'sum.train': 'cached', 'sum.test': 'ran', 'sum-again.train': 'cached', 'sum-again.test': 'ran' });
    expect(readJson(join(project, 'runs', run2.id, 'metrics.json'))['sum.test']).toEqual({ total: 6 });

    // One item's own value changes: only that part reruns.
    const third = await fnd(project, ['run', 'pipeline.yaml', '--set', 'splits.with.test=3', '--set', 'sum-again.foreach.train=1']);
    expect(third.code).toBe(0);
    expect(statuses(lastRun(project))).toEqual({ splits: 'cached', 'sum.train': 'cached', 'sum.test': 'cached', 'sum-again.train': 'ran', 'sum-again.test': 'cached' });
    const resolved = readFileSync(join(project, 'runs', lastRun(project).id, 'spec.resolved.yaml'), 'utf8');
    expect(resolved).toContain('  sum-again.train:\n    uses: sum\n    inputs:\n      list: splits.train\n    with:\n      offset: 1\n');
  }, 60_000);

  it('validate lists the parts, and --set of an unknown var fails with a suggestion', async () => {
    const project = makeProject({ ...PLUGINS, 'stages/splits/index.ts': SPLITS_PLUGIN, 'pipeline.yaml': SPEC });
    const valid = await fnd(project, ['validate', 'pipeline.yaml']);
    expect(valid.stdout).toBe('pipeline.yaml: valid (5 stages: splits → sum.train → sum.test → sum-again.train → sum-again.test)');
    const typo = await fnd(project, ['run', 'pipeline.yaml', '--set', 'vars.split=[train]']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('error: --set vars.split=[train]: unknown variable "vars.split"; did you mean "splits"?');
  }, 30_000);
});
