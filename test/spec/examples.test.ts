/**
 * pipelines/examples: a LIAR-shaped family where the binary variant extends the six-way base and
 * differs from it by its label map alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/index.js';
import { flattenLeaves } from '../../src/runs/flatten.js';
import { repoRoot } from '../engine/project.js';

const examples = join(repoRoot, 'pipelines/examples');
const lines = (file: string) => readFileSync(join(examples, file), 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));

describe('pipelines/examples (LIAR)', () => {
  it('the binary variant is a few lines over the six-way base, and differs from it only where it says', async () => {
    expect(lines('liar-binary.yaml').length).toBeLessThanOrEqual(8);
    expect(lines('liar-six-way.yaml').length).toBeGreaterThan(40);
    const six = await loadSpec(join(examples, 'liar-six-way.yaml'));
    const binary = await loadSpec(join(examples, 'liar-binary.yaml'));
    const leaves = (document: unknown) => new Map(flattenLeaves(document).map((leaf) => [leaf.path, JSON.stringify(leaf.value)]));
    const a = leaves(six.resolvedDocument);
    const b = leaves(binary.resolvedDocument);
    const changed = [...new Set([...a.keys(), ...b.keys()])].filter((path) => a.get(path) !== b.get(path)).map((path) => path.replace(/^(stages\.load-table\.with\.label_map)\..*/, '$1'));
    expect([...new Set(changed)].sort()).toEqual(['name', 'stages.load-table.with.classes', 'stages.load-table.with.label_map']);
    expect(binary.resolved.stages.map((s) => s.id)).toEqual(six.resolved.stages.map((s) => s.id));
    expect(binary.resolved.stages[0]!.with.label_map).toEqual({ 'pants-fire': 'fake', false: 'fake', 'barely-true': 'fake', 'half-true': 'real', 'mostly-true': 'real', true: 'real' });
    expect(binary.files.map((f) => f.slice(examples.length + 1))).toEqual(['liar-binary.yaml', 'liar-six-way.yaml']);
    // A value the variant inherits is located in the base.
    expect(binary.locate(['stages', 'load-table', 'with', 'quoting']).file).toBe(join(examples, 'liar-six-way.yaml'));
    expect(binary.locate(['stages', 'load-table', 'with', 'label_map']).file).toBe(join(examples, 'liar-binary.yaml'));
  });
});
