/**
 * A project's TypeScript stage plugin under the built CLI (compiled on the fly with esbuild):
 * local modules are bundled, packages resolve from the project, and a plugin that does not
 * compile or imports a missing package is one clear located message, exit 2, no stack.
 */
import { describe, expect, it } from 'vitest';
import { fnd, makeProject } from '../engine/project.js';

const SPEC = `name: p
stages:
  only:
    uses: probe
`;

describe('project TypeScript plugins under the built CLI', () => {
  it('bundles local modules, resolves packages from the project and keeps import.meta.url the source file', async () => {
    const project = makeProject({
      'node_modules/shout/package.json': JSON.stringify({ name: 'shout', type: 'module', exports: { '.': { import: './index.js' } } }),
      'node_modules/shout/index.js': 'export const shout = (s) => s.toUpperCase() + "!";\n',
      'stages/probe/helper.ts': 'export const twice = (n: number): number => 2 * n;\n',
      'stages/probe/index.ts': `import { defineStage } from 'fnd/sdk';
import { shout } from 'shout';
import { twice } from './helper.js';
export default defineStage({
  name: 'probe', version: '1', description: 'probe', params: { type: 'object', properties: {} }, inputs: {}, outputs: {},
  async run() {
    return { metrics: { n: twice(21) }, summary: shout('hi') + ' ' + new URL(import.meta.url).pathname.split('/').slice(-3).join('/') };
  },
});
`,
      'pipeline.yaml': SPEC,
    });
    const result = await fnd(project, ['run', 'pipeline.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('HI! stages/probe/index.ts');
  });

  it('reports a plugin that does not compile at its file, line and column', async () => {
    const project = makeProject({
      'stages/probe/index.ts': `import { defineStage } from 'fnd/sdk';\nexport default defineStage({\n  name: 'probe',, version: '1',\n});\n`,
      'pipeline.yaml': SPEC,
    });
    const result = await fnd(project, ['validate', 'pipeline.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*stages\/probe\/index\.ts: stage plugin "probe" failed to load: .*stages\/probe\/index\.ts:3:17: Expected identifier but found ","$/);
  });

  it('reports an import of a package the project does not have', async () => {
    const project = makeProject({
      'stages/probe/index.ts': `import { defineStage } from 'fnd/sdk';\nimport { nope } from 'no-such-package';\nexport default defineStage({ name: 'probe', version: '1', params: {}, inputs: {}, outputs: {}, async run() { return { metrics: { nope } }; } });\n`,
      'pipeline.yaml': SPEC,
    });
    const result = await fnd(project, ['validate', 'pipeline.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/stages\/probe\/index\.ts:2:22: Could not resolve "no-such-package"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
