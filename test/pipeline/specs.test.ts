import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/index.js';
import { fnd, repoRoot } from '../engine/project.js';

describe('the shipped pipelines', () => {
  it.each(['pipelines/demo.yaml', 'pipelines/tinybert-isot.yaml', 'pipelines/tinybert-isot-presplit.yaml'])('%s validates without data or weights', async (spec) => {
    const result = await fnd(repoRoot, ['validate', spec]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${spec}: valid`);
  });

  it('tinybert-isot has exactly the notebook\'s stage ids plus cleaning and splitting; tokenize-512 runs once per split', async () => {
    const notebook = ['load-csv', 'concat-title-text', 'tokenize-512', 'init-tinybert', 'train', 'evaluate', 'error-analysis', 'save'];
    const full = await loadSpec(join(repoRoot, 'pipelines/tinybert-isot.yaml'));
    expect(Object.keys((full.given as { stages: object }).stages)).toEqual(['load-csv', 'clean-text', 'concat-title-text', 'split', ...notebook.slice(2)]);
    expect(full.resolved.groups).toEqual({ 'tokenize-512': ['tokenize-512.train', 'tokenize-512.validation', 'tokenize-512.test'] });
    const presplit = await loadSpec(join(repoRoot, 'pipelines/tinybert-isot-presplit.yaml'));
    expect(Object.keys((presplit.given as { stages: object }).stages)).toEqual(notebook);
    expect(Object.keys(presplit.resolved.groups ?? {})).toEqual(['load-csv', 'concat-title-text', 'tokenize-512']);
    const result = await fnd(repoRoot, ['validate', 'pipelines/tinybert-isot.yaml']);
    expect(result.stdout).toContain('split → tokenize-512.train → tokenize-512.validation → tokenize-512.test → init-tinybert');
  });
});
