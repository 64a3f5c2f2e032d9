import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const fndBin = join(repoRoot, 'bin', 'fnd.mjs');

/**
 * A throwaway fnd project with its own stages/ folder, as a user would have: the plugins here
 * are real TypeScript files loaded by the real plugin loader.
 */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-engine-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"tmp-project","private":true,"type":"module"}\n');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Runs the real CLI in a child process, as a user would. */
export async function fnd(cwd: string, args: string[], options: { env?: Record<string, string> } = {}) {
  const result = await execa(process.execPath, [fndBin, ...args], {
    cwd,
    reject: false,
    env: { CI: '1', ...options.env },
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function runIds(project: string): string[] {
  return readdirSync(join(project, 'runs')).sort();
}

export function lastRun(project: string): any {
  const ids = runIds(project);
  return readJson(join(project, 'runs', ids[ids.length - 1]!, 'run.json'));
}

/** Stage plugins for engine tests: a source of numbers, a seeded shuffler, a summer and a slow stage. */
export const PLUGINS: Record<string, string> = {
  'stages/numbers/index.ts': `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'numbers', version: '1', description: 'writes 1..count',
  params: { type: 'object', additionalProperties: false, properties: { count: { type: 'integer', default: 5 } } },
  inputs: {}, outputs: { list: { kind: 'file' } },
  async run(ctx, _inputs, params) {
    const values = Array.from({ length: params.count }, (_, i) => i + 1);
    writeFileSync(join(ctx.outputDir('list'), 'values.json'), JSON.stringify(values));
    return { metrics: { count: params.count }, summary: params.count + ' numbers' };
  },
};
`,
  'stages/shuffle/index.ts': `
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'shuffle', version: '1', description: 'shuffles with the seed',
  params: { type: 'object', additionalProperties: false, properties: { seed: { type: 'integer' } } },
  inputs: { list: { kind: 'file' } }, outputs: { list: { kind: 'file' } },
  async run(ctx, inputs) {
    const values = JSON.parse(readFileSync(join(inputs.list.path, 'values.json'), 'utf8'));
    writeFileSync(join(ctx.outputDir('list'), 'values.json'), JSON.stringify(ctx.rng.shuffle(values)));
    return { metrics: { first: values[0] } };
  },
};
`,
  'stages/sum/index.ts': `
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'sum', version: '1', description: 'adds the values and an offset',
  params: { type: 'object', additionalProperties: false, properties: { offset: { type: 'number', default: 0 } } },
  inputs: { list: { kind: 'file' } }, outputs: { total: { kind: 'metrics' } },
  async run(ctx, inputs, params) {
    const values = JSON.parse(readFileSync(join(inputs.list.path, 'values.json'), 'utf8'));
    const total = values.reduce((a, b) => a + b, 0) + params.offset;
    writeFileSync(join(ctx.outputDir('total'), 'total.json'), JSON.stringify({ total }));
    writeFileSync(join(ctx.exportDir, 'total.txt'), String(total));
    return { metrics: { total } };
  },
};
`,
  'stages/slow/index.ts': `
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'slow', version: '1', description: 'waits, checking its abort signal',
  params: { type: 'object', additionalProperties: false, properties: { ms: { type: 'integer', default: 20000 }, marker: { type: 'string' } } },
  inputs: { list: { kind: 'file' } }, outputs: { done: { kind: 'file' } },
  async run(ctx, _inputs, params) {
    if (params.marker) writeFileSync(params.marker, 'started');
    const out = ctx.outputDir('done');
    writeFileSync(join(out, 'partial.txt'), 'half');
    const until = Date.now() + params.ms;
    while (Date.now() < until) {
      if (ctx.signal.aborted) throw new Error('aborted');
      await new Promise((r) => setTimeout(r, 50));
    }
    writeFileSync(join(out, 'done.txt'), 'ok');
  },
};
`,
  'stages/boom/index.ts': `
export default {
  name: 'boom', version: '1', description: 'fails like a user mistake',
  params: { type: 'object', additionalProperties: false, properties: {} },
  inputs: { list: { kind: 'file' } }, outputs: { out: { kind: 'file' } },
  async run() { const e = new Error('column "title" not found in data.csv:3'); e.name = 'StageUserError'; throw e; },
};
`,
};

export const BASIC_SPEC = `name: basic
seed: 7
vars:
  count: 5
stages:
  numbers:
    uses: numbers
    with: { count: "\${{ vars.count }}" }
  shuffle:
    uses: shuffle
    inputs: { list: numbers.list }
  sum:
    uses: sum
    inputs: { list: numbers }
  sum-shuffled:
    uses: sum
    inputs: { list: shuffle.list }
    with: { offset: 100 }
`;
