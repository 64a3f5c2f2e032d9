import { describe, expect, it } from 'vitest';
import { fnd, repoRoot } from '../engine/project.js';

describe('the shipped pipelines', () => {
  it.each(['pipelines/demo.yaml', 'pipelines/tinybert-isot.yaml', 'pipelines/tinybert-isot-presplit.yaml'])('%s validates without data or weights', async (spec) => {
    const result = await fnd(repoRoot, ['validate', spec]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${spec}: valid`);
  });

  it('tinybert-isot has the notebook\'s stage ids', async () => {
    const result = await fnd(repoRoot, ['validate', 'pipelines/tinybert-isot.yaml']);
    for (const id of ['load-csv', 'concat-title-text', 'tokenize-512', 'init-tinybert', 'train', 'evaluate', 'error-analysis', 'save']) {
      expect(result.stdout).toMatch(new RegExp(`(: | → )${id}( → |\\))`));
    }
  });
});
