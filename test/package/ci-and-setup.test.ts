/**
 * CI runs what the README tells users to run, and `npm run setup` says what a machine lacks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('.ci/run', () => {
  it("runs exactly the commands of the README's first code block, setup and the demo first, then npm test", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    const expected = block.split('\n').map((line) => line.replace(/\s*#.*$/, '').trim()).filter(Boolean);
    const printed = execFileSync(join(root, '.ci', 'run'), ['--print'], { cwd: root }).toString().trim().split('\n');
    expect(printed).toEqual(expected);
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatch(/^npm run setup && npx fnd run pipelines\/demo\.yaml$/);
    expect(printed[1]).toBe('npm test');
  });
});

describe('scripts/setup --check', () => {
  it('names the build tools a machine lacks (here: a PATH without g++, make and python3)', () => {
    const bin = mkdtempSync(join(tmpdir(), 'fnd-setup-path-'));
    try {
      for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
        let names: string[] = [];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) {
          if (['g++', 'make', 'python3'].includes(name)) continue;
          try {
            symlinkSync(join(dir, name), join(bin, name));
          } catch {
            // already linked from an earlier directory
          }
        }
      }
      try {
        symlinkSync(process.execPath, join(bin, basename(process.execPath)));
      } catch {
        // node was in one of the directories above
      }
      const out = execFileSync('bash', [join(root, 'scripts', 'setup'), '--check'], { cwd: root, env: { ...process.env, PATH: bin } }).toString();
      expect(out).toMatch(/^setup: missing: .*\bg\+\+ make python3\b/m);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
