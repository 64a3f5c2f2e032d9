/**
 * A full disk at each write path (issue 12 items 1 and 8): the lock, a table, tokens, a model, a
 * training checkpoint, an export (save's `path`) and the run record. Each failure must end in one
 * message naming the stage and the path, exit code 1, the run recorded `failed` with that
 * reason, no lock, work folder, staging entry or temp file left, nothing committed; and once
 * space is back, the same command completes.
 *
 * The disk is a real tmpfs when the suite runs as root (CI), else a folder where fnd's writes get
 * ENOSPC from an injected filesystem layer (helpers/fs-faults-preload.mjs); the assertions are the
 * same. A last test runs the injected layer even as root, so that path stays honest too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDiskMode, diskEnv, smallDisk, type DiskMode, type SmallDisk } from './helpers/full-disk.js';
import { committedEntries, expectNoStackTrace, fnd, lastRecord, leftovers, listTree, loadAndSplitSpec, makeFaultProject, runRecords, escapeRegExp as escape } from './helpers/project.js';

const MiB = 1024 * 1024;
const ENOSPC = 'no space left on device (ENOSPC)';


describe.each<DiskMode>([defaultDiskMode()])('a full disk (%s)', (mode) => {
  let project: string;
  let disk: SmallDisk;
  let other: SmallDisk;
  let cacheDir: string;
  const run = (args: string[]) => fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir, ...args], { env: diskEnv(disk, other) });

  beforeAll(async () => {
    project = makeFaultProject();
    disk = smallDisk(128 * MiB, mode);
    other = smallDisk(16 * MiB, mode);
    cacheDir = join(disk.dir, 'cache');
    const first = await run([]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
  });

  afterAll(() => {
    disk?.dispose();
    other?.dispose();
  });

  /**
   * Runs `args` with `leave` bytes free on `on`, expects the clean failure of `stage` naming
   * `path`, then frees the space and expects the same command to complete with `stage` ran.
   */
  async function expectCleanFailure(args: string[], stage: string, path: RegExp, leave: number, on: () => SmallDisk = () => disk) {
    const before = committedEntries(cacheDir);
    const runsBefore = runRecords(project).length;
    on().fill(leave);
    const failed = await run(args);
    on().unfill();
    expect(failed.code).toBe(1);
    const message = new RegExp(`stage "${stage}".*${path.source}: ${escape(ENOSPC)}`);
    expect(failed.stderr).toMatch(new RegExp(`^error: ${message.source}`, 'm'));
    expectNoStackTrace(failed);
    expect(runRecords(project)).toHaveLength(runsBefore + 1);
    const record = lastRecord(project);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(message);
    expect(record.stages[stage]).toMatchObject({ status: 'failed' });
    expect(record.stages[stage].error).toMatch(message);
    expect(leftovers(cacheDir)).toEqual([]);
    expect(committedEntries(cacheDir)).toEqual(before);

    const again = await run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(lastRecord(project)).toMatchObject({ status: 'completed', stages: { [stage]: { status: 'ran' } } });
    expect(leftovers(cacheDir)).toEqual([]);
  }

  it('when a lock cannot be written', async () => {
    await expectCleanFailure(['--set', 'load-csv.with.limit_per_file=28'], 'load-csv', /cannot create lock \S+\.lock/, 0);
  });

  it('while a table is written', async () => {
    await expectCleanFailure(['--set', 'load-csv.with.limit_per_file=29'], 'load-csv', /cannot write \S+\/outputs\/table\/rows\.jsonl/, 48 * 1024);
  });

  it('while tokens are written', async () => {
    await expectCleanFailure(['--set', 'tokenize-train.with.max_length=512'], 'tokenize-train', /cannot write \S+\/outputs\/tokens\/ids\.bin/, 24 * 1024);
  });

  it('while a model is saved', async () => {
    await expectCleanFailure(['--set', 'init-bert.with.seed=7'], 'init-bert', /cannot write \S+\/outputs\/model\/model\.safetensors/, 512 * 1024);
  });

  it('while a training checkpoint is written', async () => {
    await expectCleanFailure(['--set', 'train.with.seed=7'], 'train', /cannot write \S+\/checkpoint-1\.tmp\/model\/model\.safetensors/, 1 * MiB);
  });

  it('while save exports the model to its path', async () => {
    const target = join(other.dir, 'model');
    await expectCleanFailure(['--set', `save.with.path=${target}`], 'save', new RegExp(`cannot write ${escape(target)}/\\S+`), 0, () => other);
    // The failed attempt left no file there (the rerun then wrote the whole folder).
    expect(listTree(target).sort()).toEqual(['config.json', 'fnd.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
  });

  it('when the run record cannot be written', async () => {
    const runsDir = join(other.dir, 'runs');
    const before = committedEntries(cacheDir);
    other.fill(0);
    const failed = await run(['--runs-dir', runsDir, '--set', 'init-bert.with.seed=11']);
    other.unfill();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`^error: cannot write ${escape(runsDir)}/[^/]+/spec\\.yaml: ${escape(ENOSPC)}$`, 'm'));
    expectNoStackTrace(failed);
    // No half-made run folder (it would be listed as an unreadable run), no stage ran.
    expect(listTree(runsDir)).toEqual([]);
    expect(leftovers(cacheDir)).toEqual([]);
    expect(committedEntries(cacheDir)).toEqual(before);
    const again = await run(['--runs-dir', runsDir, '--set', 'init-bert.with.seed=11']);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(runsDir)).toBe(true);
  });
});

describe.each<DiskMode>([defaultDiskMode()])('a disk that fills up after the run record was created (%s)', (mode) => {
  // Stages that export nothing into the run folder: only run.json is written there after it starts.
  const SPEC = loadAndSplitSpec('record');

  it('runs the stages, warns once, and ends failed naming run.json; the old run.json stays whole', async () => {
    const project = makeFaultProject(SPEC);
    const cacheDir = join(project, '.fnd');
    // What the record takes when it is created: its three files (the folders cost a page on tmpfs).
    const probeRuns = join(project, 'probe-runs');
    expect((await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', join(project, 'probe-cache'), '--runs-dir', probeRuns])).code).toBe(0);
    const [probe] = listTree(probeRuns).filter((p) => p.endsWith('/'));
    const created = ['spec.yaml', 'spec.resolved.yaml'].reduce((n, f) => n + readFileSync(join(probeRuns, probe!, f)).length, 0) + 1500;
    const disk = smallDisk(1 * MiB, mode);
    try {
      const runsDir = join(disk.dir, 'runs');
      disk.fill(mode === 'tmpfs' ? 4 * 4096 : created);
      const result = await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir, '--runs-dir', runsDir], { env: diskEnv(disk) });
      disk.unfill();
      expect(result.code).toBe(1);
      const [id] = readdirSync(runsDir);
      const runJson = join(runsDir, id!, 'run.json');
      const message = `cannot write ${runJson}: ${ENOSPC}`;
      expect(result.stdout.split('\n').filter((line) => line.startsWith('warning: the run record'))).toEqual([`warning: the run record could not be written: ${message}`]);
      expect(result.stderr).toBe(`error: ${message}`);
      expectNoStackTrace(result);
      // Atomic writes: the record on disk is the last one that fit, whole, never a prefix.
      const record = JSON.parse(readFileSync(runJson, 'utf8'));
      expect(record.id).toBe(id);
      // No temp file left beside it (metrics.json may have fit before run.json did not).
      const left = readdirSync(join(runsDir, id!)).sort();
      expect(left.filter((name) => !['metrics.json', 'run.json', 'spec.resolved.yaml', 'spec.yaml'].includes(name))).toEqual([]);
      // The stages themselves completed and are cached; nothing is left locked.
      expect(committedEntries(cacheDir)).toHaveLength(2);
      expect(leftovers(cacheDir)).toEqual([]);
      const again = await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir, '--runs-dir', runsDir], { env: diskEnv(disk) });
      expect(again.code, again.stderr).toBe(0);
      const records = readdirSync(runsDir).sort().map((run) => JSON.parse(readFileSync(join(runsDir, run, 'run.json'), 'utf8')));
      expect(records[1]).toMatchObject({ status: 'completed', stages: { 'load-csv': { status: 'cached' }, split: { status: 'cached' } } });
    } finally {
      disk.dispose();
    }
  });
});

describe('the injected full disk (the path taken when the suite cannot mount a tmpfs)', () => {
  it('fails a table write with the same message, record and cache state', async () => {
    const project = makeFaultProject();
    const disk = smallDisk(64 * 1024, 'injected');
    try {
      const cacheDir = join(disk.dir, 'cache');
      const result = await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir], { env: diskEnv(disk) });
      expect(result.code).toBe(1);
      const message = new RegExp(`stage "load-csv".*cannot write \\S+/outputs/table/rows\\.jsonl: ${escape(ENOSPC)}`);
      expect(result.stderr).toMatch(message);
      expectNoStackTrace(result);
      expect(lastRecord(project)).toMatchObject({ status: 'failed', stages: { 'load-csv': { status: 'failed' } } });
      expect(leftovers(cacheDir)).toEqual([]);
      expect(committedEntries(cacheDir)).toEqual([]);
    } finally {
      disk.dispose();
    }
  });
});

describe('other storage failures (injected: a root test process cannot be denied a write, nor break a device)', () => {
  it.each([
    ['a device failing (EIO) while a table is written', 'EIO', 64 * 1024, /stage "load-csv".*cannot write \S+\/outputs\/table\/rows\.jsonl: input\/output error \(the device failed\) \(EIO\)/],
    ['a cache folder that cannot be written (EACCES)', 'EACCES', 0, /stage "load-csv".*cannot create lock \S+\.lock: permission denied \(EACCES\)/],
  ] as const)('%s: the same clean failure', async (_name, code, bytes, message) => {
    const project = makeFaultProject();
    const disk = smallDisk(bytes, 'injected', code);
    try {
      const cacheDir = join(disk.dir, 'cache');
      const result = await fnd(project, ['run', 'spec.yaml', '--plain', '--cache-dir', cacheDir], { env: diskEnv(disk) });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^error: ${message.source}$`));
      expectNoStackTrace(result);
      const record = lastRecord(project);
      expect(record).toMatchObject({ status: 'failed', stages: { 'load-csv': { status: 'failed' }, split: { status: 'skipped' } } });
      expect(record.error).toMatch(message);
      expect(leftovers(cacheDir)).toEqual([]);
      expect(committedEntries(cacheDir)).toEqual([]);
    } finally {
      disk.dispose();
    }
  });
});
