import { describe, expect, it } from 'vitest';
import { loadSpec, parseOverride } from '../../src/spec/index.js';
import { MAX_ALIAS_VALUES, MAX_DEPTH } from '../../src/spec/yaml-source.js';
import { fnd } from '../engine/project.js';
import { specDir, userError } from './helpers.js';

const files = specDir();

/** Ten anchors, each a list of nine aliases to the one before: 9^9 strings once expanded. */
function billionLaughs(): string {
  const lines = ['name: lol', 'vars:', '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 10; i++) {
    const name = String.fromCharCode(97 + i);
    const previous = String.fromCharCode(96 + i);
    lines.push(`  ${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  lines.push('stages:', '  x:', '    uses: load-csv', '    with: { files: "${{ vars.j }}" }');
  return lines.join('\n') + '\n';
}

const nestedFlow = (levels: number) => `name: deep\nstages:\n  x:\n    uses: load-csv\n    with: { v: ${'{a: '.repeat(levels)}1${'}'.repeat(levels)} }\n`;
const nestedBlock = (levels: number) =>
  `name: deep\nstages:\n  x:\n    uses: load-csv\n    with:\n${Array.from({ length: levels }, (_, i) => `${'  '.repeat(i + 3)}a:\n`).join('')}${'  '.repeat(levels + 3)}1\n`;

describe('hostile YAML', () => {
  it('an alias bomb stops at the alias that crosses the expansion limit', async () => {
    const file = files.write('bomb.yaml', billionLaughs());
    const error = await userError(() => loadSpec(file));
    expect(error.exitCode).toBe(2);
    // Aliases made 8,289 values up to d (90 + 819 + 7,380); e's first *d adds 7,381 more.
    expect(error.message).toBe(
      `${file}:7:10: alias *d takes the document past ${MAX_ALIAS_VALUES} values made by aliases (a "billion laughs" alias bomb?); write the values out or use fewer aliases`,
    );
  });

  it('2,000 nested maps, flow or block, stop at the first level past the depth limit', async () => {
    const flow = files.write('flow.yaml', nestedFlow(2000));
    const flowError = await userError(() => loadSpec(flow));
    expect(flowError.exitCode).toBe(2);
    // Line 5 is `    with: { v: {a: {a: ...`: maps 1-4 are the document, stages, x and with.
    const col = '    with: { v: '.length + 1 + (MAX_DEPTH - 4) * '{a: '.length;
    expect(flowError.message).toBe(`${flow}:5:${col}: maps and lists nest deeper than ${MAX_DEPTH} levels here; a spec needs far fewer`);
    const block = files.write('block.yaml', nestedBlock(2000));
    const blockError = await userError(() => loadSpec(block));
    expect(blockError.message).toMatch(new RegExp(`^${block.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: maps and lists nest deeper than ${MAX_DEPTH} levels here`));
    // Nesting within the limit is fine.
    expect((await loadSpec(files.write('ok.yaml', nestedFlow(MAX_DEPTH - 5)))).resolved.stages[0]!.id).toBe('x');
  });

  it('aliases of !include count the included values: files that include each other nine times each stop too', async () => {
    files.write('inc0.yaml', `[${Array(50).fill('1').join(', ')}]\n`);
    for (let i = 1; i < 8; i++) files.write(`inc${i}.yaml`, `a: &a !include inc${i - 1}.yaml\nb: [${Array(9).fill('*a').join(', ')}]\n`);
    const file = files.write('inc-bomb.yaml', 'name: t\nvars:\n  x: !include inc7.yaml\nstages:\n  y: { uses: load-csv }\n');
    const error = await userError(() => loadSpec(file));
    expect(error.exitCode).toBe(2);
    // inc2 holds 9 × 10 × 51 values, inc3's aliases would repeat that nine times.
    expect(error.message).toBe(`${files.dir}/inc3.yaml:2:9: alias *a takes the document past ${MAX_ALIAS_VALUES} values made by aliases (a "billion laughs" alias bomb?); write the values out or use fewer aliases`);
  });

  it('an alias that contains itself, and one with no anchor, are located errors', async () => {
    const file = files.write('self.yaml', 'name: s\nvars:\n  a: &a [1, *a]\n  b: *nope\nstages:\n  x: { uses: p }\n');
    const error = await userError(() => loadSpec(file));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/self\.yaml:\d+:\d+: (YAML syntax error|vars\.a)/);
    expect(error.message).not.toMatch(/internal error|stack/i);
  });

  it('a --set value is read with the same limits', () => {
    const bomb = `vars.x=[${Array(9).fill('&a [1,1,1,1,1,1,1,1,1,1]').join(',')}]`;
    expect(parseOverride(bomb).value).toHaveLength(9);
    const deep = `vars.x=${'['.repeat(500)}${']'.repeat(500)}`;
    expect(() => parseOverride(deep)).toThrow(`--set ${deep}: cannot parse value "${deep.slice(7)}" as YAML: maps and lists nest deeper than ${MAX_DEPTH} levels here; a spec needs far fewer`);
  });

  it('the CLI exits 2 with the located message and no stack trace', async () => {
    const bomb = files.write('cli-bomb.yaml', billionLaughs());
    const deep = files.write('cli-deep.yaml', nestedFlow(2000));
    for (const [file, words] of [[bomb, 'alias *d takes the document past'], [deep, 'maps and lists nest deeper than']] as const) {
      for (const command of ['validate', 'run']) {
        const result = await fnd(files.dir, [command, file]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(words);
        expect(result.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
        expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    }
  }, 60_000);
});
