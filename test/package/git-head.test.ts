import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGitHead } from '../../src/util/git-head.js';

const scratch = mkdtempSync(join(tmpdir(), 'fnd-git-head-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } })
    .toString()
    .trim();

describe('readGitHead (the commit a run records, without spawning git)', () => {
  it('equals `git rev-parse HEAD` on a branch, after packing refs, detached, and in a worktree; null outside a repository', () => {
    const repo = join(scratch, 'repo');
    execFileSync('mkdir', ['-p', join(repo, 'sub')]);
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'a.txt'), 'a');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'one');
    expect(readGitHead(join(repo, 'sub'))).toBe(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'pack-refs', '--all');
    expect(readGitHead(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    writeFileSync(join(repo, 'b.txt'), 'b');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'two');
    const second = git(repo, 'rev-parse', 'HEAD');
    expect(readGitHead(repo)).toBe(second);
    git(repo, 'checkout', '-q', 'HEAD~1');
    expect(readGitHead(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(readGitHead(repo)).not.toBe(second);
    const worktree = join(scratch, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'other', worktree, 'main');
    expect(readGitHead(worktree)).toBe(second);
    const outside = mkdtempSync(join(tmpdir(), 'fnd-no-git-'));
    expect(readGitHead(outside)).toBeNull();
    rmSync(outside, { recursive: true, force: true });
  });
});
