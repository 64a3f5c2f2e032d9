import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadRunReason, settleRun, STALE_MS } from '../../src/runs/liveness.js';
import { RUN_LOCK_FILE } from '../../src/runs/run-lease.js';
import type { RunRecord } from '../../src/runs/record.js';

function runDir(lock: { pid: number; hostname: string } | undefined, record: Partial<RunRecord> = {}): { dir: string; record: RunRecord } {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-liveness-'));
  if (lock) writeFileSync(join(dir, RUN_LOCK_FILE), JSON.stringify({ ...lock, acquiredAt: new Date().toISOString(), token: 'abcd' }));
  const full = { id: 'r1', spec: 's.yaml', specName: 's', status: 'running', startedAt: new Date().toISOString(), durationMs: 0, stages: {}, params: {}, seed: 1, vars: {}, environment: {}, ...record } as RunRecord;
  writeFileSync(join(dir, 'run.json'), JSON.stringify(full));
  writeFileSync(join(dir, '.run.json.12345.abcd.tmp'), '{"half":');
  return { dir, record: full };
}

describe('dead runs', () => {
  it('a lock of a live process on this host keeps the run alive', async () => {
    const { dir, record } = runDir({ pid: process.pid, hostname: hostname() });
    expect(await deadRunReason(dir)).toBeUndefined();
    expect((await settleRun(dir, record)).status).toBe('running');
  });

  it('another host: alive while the heartbeat is fresh, crashed once it is stale', async () => {
    const { dir, record } = runDir({ pid: 1, hostname: 'elsewhere.example' });
    expect(await deadRunReason(dir)).toBeUndefined();
    const old = new Date(Date.now() - STALE_MS - 60_000);
    utimesSync(join(dir, RUN_LOCK_FILE), old, old);
    expect(await deadRunReason(dir)).toMatch(/^its process \(pid 1 on elsewhere\.example\) stopped its heartbeat 11 min ago$/);
    const settled = await settleRun(dir, record);
    expect(settled.status).toBe('crashed');
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('crashed');
  });

  it('no lock at all (an older fnd, or killed before it took one): crashed, temp files removed', async () => {
    const { dir, record } = runDir(undefined);
    const settled = await settleRun(dir, record);
    expect(settled).toMatchObject({ status: 'crashed', error: 'crashed: its process left no lock (it was killed, or ran an older fnd)' });
    expect(() => readFileSync(join(dir, '.run.json.12345.abcd.tmp'))).toThrow(/ENOENT/);
  });

  it('leaves finished runs alone', async () => {
    const { dir, record } = runDir(undefined, { status: 'completed' });
    expect(await settleRun(dir, record)).toBe(record);
  });
});
