/**
 * Hostile YAML specs (issue 12 items 3 and 8): a billion-laughs alias bomb and 2,000 levels of
 * nested maps. Each must end in one FILE:LINE:COL error with exit code 2, never the "internal
 * error" path or a stack trace, in `fnd validate`, `fnd status` and `fnd run` alike.
 *
 * The limits themselves are the `spec` branch's work (src/spec); until it is merged these tests
 * fail on purpose (the alias bomb reaches "internal error" today).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeRegExp, expectNoStackTrace, fnd, makeFaultProject } from './helpers/project.js';

/** Nine levels of nine aliases each: 9^9 (387 million) strings once expanded. */
function aliasBomb(): string {
  const lines = ['name: bomb', 'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`lol${i}: &lol${i} [${Array(9).fill(`*lol${i - 1}`).join(', ')}]`);
  lines.push('stages:', '  load-csv:', '    uses: load-csv', '    with: { files: *lol9 }');
  return `${lines.join('\n')}\n`;
}

/** 2,000 levels of block-style nested maps under a stage's params. */
function deeplyNested(levels = 2000): string {
  const lines = ['name: deep', 'stages:', '  load-csv:', '    uses: load-csv', '    with:'];
  for (let i = 0; i < levels; i++) lines.push(`${' '.repeat(6 + 2 * i)}k${i}:`);
  lines.push(`${' '.repeat(6 + 2 * levels)}v: 1`);
  return `${lines.join('\n')}\n`;
}

describe.each([
  ['a billion-laughs alias bomb', 'bomb.yaml', aliasBomb()],
  ['2,000 levels of nested maps', 'deep.yaml', deeplyNested()],
])('%s', (_name, file, text) => {
  it.each([['validate'], ['status'], ['run']])('fnd %s: exit 2 with FILE:LINE:COL, no internal error', async (command) => {
    const project = makeFaultProject();
    writeFileSync(join(project, file), text);
    const result = await fnd(project, [command, file, ...(command === 'run' ? ['--plain'] : [])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: ${escapeRegExp(join(project, file))}:\\d+:\\d+: `, 'm'));
    expect(result.stderr).not.toContain('Maximum call stack');
    expectNoStackTrace(result);
  });
});
