/**
 * SIGKILL at chosen points of a run (issue 12 item 8): while a stage writes its output, while
 * the cache commits an entry (its data and meta.json written, the COMMITTED marker not yet), and
 * after every stage committed, while the run's metrics are written. The process is stopped dead
 * at that exact file open by helpers/fs-faults-preload.mjs, then killed: no timing involved.
 *
 * After each kill: committed entries are intact and the killed stage has none; the run record
 * shows the run as not finished (expectKilledRunStatus); a rerun cleans up what the dead process
 * left, recomputes only what is missing, and ends with the same entries, byte for byte, as a run
 * that was never killed.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRELOAD } from './helpers/full-disk.js';
import { TOKENIZE_TRAIN, committedEntries, expectKilledRunStatus, fnd, lastRecord, leftovers, loadAndSplitSpec, makeFaultProject, repoRoot } from './helpers/project.js';

const SPEC = `${loadAndSplitSpec('killed', { seed: 42, loadWith: 'columns: [title, text]' })}${TOKENIZE_TRAIN}`;
const STAGES = ['load-csv', 'split', 'tokenize-train'];

/**
 * Each committed entry's signature → its stage and the sha256 of each file, from its meta.json.
 * A tokens header names the tokenizer by its absolute path, which differs between projects.
 */
function outputHashes(cacheDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const sig of committedEntries(cacheDir)) {
    const meta = JSON.parse(readFileSync(join(cacheDir, 'cache', sig.slice(0, 2), sig, 'meta.json'), 'utf8'));
    const files = (meta.files as { path: string }[]).filter((file) => !file.path.endsWith('tokens/header.json'));
    out[sig] = { stage: meta.stageId, files };
  }
  return out;
}

/** Starts `fnd run`, stops it dead when it opens a file matching `pattern`, SIGKILLs it. Returns when it is gone. */
async function runAndKillAt(project: string, cacheDir: string, pattern: string): Promise<void> {
  const marker = join(mkdtempSync(join(tmpdir(), 'fnd-faults-kill-')), 'stalled');
  const child = execa(process.execPath, [join(repoRoot, 'bin/fnd.mjs'), 'run', 'spec.yaml', '--plain', '--cache-dir', cacheDir], {
    cwd: project,
    reject: false,
    env: { CI: '1', NODE_OPTIONS: `--import ${PRELOAD}`, FND_FAULT_STALL: JSON.stringify({ pattern, marker }) },
  });
  let exited = false;
  void child.finally(() => (exited = true));
  // Waiting for an event (the marker file), not measuring time: vitest's timeout bounds the wait.
  while (!existsSync(marker) || readFileSync(marker, 'utf8') === '') {
    if (exited) throw new Error(`fnd exited before reaching ${pattern}:\n${(await child).stdout}\n${(await child).stderr}`);
    await sleep(20);
  }
  const pid = Number(readFileSync(marker, 'utf8'));
  expect(pid).toBe(child.pid);
  process.kill(pid, 'SIGKILL');
  const result = await child;
  expect(result.signal).toBe('SIGKILL');
}

describe('SIGKILL at chosen points of a run', () => {
  let reference: Record<string, unknown>;

  beforeAll(async () => {
    const project = makeFaultProject(SPEC);
    const cacheDir = join(project, '.fnd');
    const result = await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir]);
    expect(result.code).toBe(0);
    reference = outputHashes(cacheDir);
    expect(Object.keys(reference)).toHaveLength(STAGES.length);
  });

  async function expectRerunCorrect(project: string, cacheDir: string, cached: string[]) {
    const rerun = await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const record = lastRecord(project);
    expect(record.status).toBe('completed');
    for (const stage of STAGES) expect(record.stages[stage].status).toBe(cached.includes(stage) ? 'cached' : 'ran');
    expect(outputHashes(cacheDir)).toEqual(reference);
    // The dead process's lock, work folder and staging entry are gone.
    expect(leftovers(cacheDir)).toEqual([]);
  }

  it('while a stage writes its output: that stage has no entry, the earlier ones stay, the rerun recomputes it', async () => {
    const project = makeFaultProject(SPEC);
    const cacheDir = join(project, '.fnd');
    await runAndKillAt(project, cacheDir, '/outputs/train/rows\\.jsonl$');
    const killed = lastRecord(project);
    expectKilledRunStatus(killed);
    expect(killed.stages['load-csv'].status).toBe('ran');
    expect(killed.stages.split).toBeUndefined();
    expect(Object.values(outputHashes(cacheDir)).map((e: any) => e.stage)).toEqual(['load-csv']);
    await expectRerunCorrect(project, cacheDir, ['load-csv']);
  });

  it('while the cache commits an entry: no half-committed entry is ever used', async () => {
    const project = makeFaultProject(SPEC);
    const cacheDir = join(project, '.fnd');
    await runAndKillAt(project, cacheDir, '\\.staging/COMMITTED$');
    expectKilledRunStatus(lastRecord(project));
    // The first commit was stopped before its marker: nothing is committed, its staging entry is left for the next run to clear.
    expect(committedEntries(cacheDir)).toEqual([]);
    expect(leftovers(cacheDir).some((path) => path.includes('.staging'))).toBe(true);
    await expectRerunCorrect(project, cacheDir, []);
  });

  it('after every stage committed, while the run is being finished: every entry is intact and reused', async () => {
    const project = makeFaultProject(SPEC);
    const cacheDir = join(project, '.fnd');
    await runAndKillAt(project, cacheDir, '/\\.metrics\\.json\\.\\d+\\.[0-9a-f]+\\.tmp$');
    const killed = lastRecord(project);
    expectKilledRunStatus(killed);
    for (const stage of STAGES) expect(killed.stages[stage].status).toBe('ran');
    expect(outputHashes(cacheDir)).toEqual(reference);
    await expectRerunCorrect(project, cacheDir, STAGES);
  });
});
