import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { createRunFolder, type RunRecord } from '../../src/runs/record.js';
import { readMetrics, resolveRun } from '../../src/runs/store.js';
import { makeRecord, stage, tempDir } from './helpers.js';

async function validator() {
  const schema = JSON.parse(await readFile(new URL('../../schemas/run.schema.json', import.meta.url), 'utf8'));
  return new Ajv({ allErrors: true, strict: true }).compile(schema);
}

async function readRecord(dir: string): Promise<RunRecord> {
  return JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunRecord;
}

const sources = { specSource: 'name: demo # as given\n', resolvedSpecYaml: 'name: demo\nseed: 42\n' };

describe('RunWriter', () => {
  it('writes the spec files and a running run.json, then the final record and metrics', async () => {
    const validate = await validator();
    const runsDir = join(await tempDir(), 'runs');
    const writer = await createRunFolder(runsDir, makeRecord({ status: 'completed' }), sources);
    expect(writer.id).toBe('20261127-033512-123-demo');
    expect(writer.dir).toBe(join(runsDir, writer.id));
    expect(await readFile(join(writer.dir, 'spec.yaml'), 'utf8')).toBe(sources.specSource);
    expect(await readFile(join(writer.dir, 'spec.resolved.yaml'), 'utf8')).toBe(sources.resolvedSpecYaml);

    const running = await readRecord(writer.dir);
    expect(running.status).toBe('running');
    expect(validate(running), JSON.stringify(validate.errors)).toBe(true);

    await writer.updateStage('load', stage('cached', 'a'.repeat(64), 12, 'load-csv'));
    await writer.updateStage('train', { ...stage('ran', 'b'.repeat(64), 3456.5, 'train'), reason: 'param learning_rate changed' });
    const metrics = { train: { loss: 0.25, history: [1, 0.5, 0.25] }, evaluate: { test: { accuracy: 0.9, f1: 0.875 } } };
    const final = await writer.finishRun('completed', metrics, { durationMs: 4000 });

    const onDisk = await readRecord(writer.dir);
    expect(onDisk).toEqual(final);
    expect(onDisk.status).toBe('completed');
    expect(onDisk.durationMs).toBe(4000);
    expect(onDisk.stages).toEqual({
      load: { plugin: 'load-csv', status: 'cached', signature: 'a'.repeat(64), durationMs: 12 },
      train: { plugin: 'train', status: 'ran', signature: 'b'.repeat(64), durationMs: 3456.5, reason: 'param learning_rate changed' },
    });
    expect(validate(onDisk), JSON.stringify(validate.errors)).toBe(true);
    expect(await readMetrics(writer.dir)).toEqual(metrics);
    expect((await readdir(writer.dir)).sort()).toEqual(['metrics.json', 'run.json', 'spec.resolved.yaml', 'spec.yaml']);

    // Read back through the store, as `fnd show` does.
    const loaded = await resolveRun(runsDir, 'latest');
    expect(loaded.record).toEqual(final);
  });

  it('records a failed run with its error, and the schema rejects a malformed record', async () => {
    const validate = await validator();
    const runsDir = await tempDir();
    const writer = await createRunFolder(runsDir, makeRecord(), sources);
    await writer.updateStage('train', { ...stage('failed', '', 0), error: 'out of memory' });
    await writer.updateStage('evaluate', { ...stage('skipped', '', 0), reason: 'an upstream stage failed' });
    const final = await writer.finishRun('failed', {}, { error: 'stage train failed' });
    expect(final.error).toBe('stage train failed');
    expect(final.durationMs).toBeGreaterThanOrEqual(0);
    expect(validate(await readRecord(writer.dir))).toBe(true);
    await expect(writer.updateStage('x', stage('ran', 's', 1))).rejects.toThrow(/is finished/);

    expect(validate({ ...final, status: 'done' })).toBe(false);
    expect(validate({ ...final, extra: 1 })).toBe(false);
    expect(validate({ ...final, stages: { a: { ...stage('ran', 's', 1), typo: 1 } } })).toBe(false);
    const { environment: _omitted, ...withoutEnvironment } = final;
    expect(validate(withoutEnvironment)).toBe(false);
    expect(validate({ ...final, id: 'not-an-id' })).toBe(false);
  });

  it('keeps every concurrent stage update (the last write has all stages)', async () => {
    const runsDir = await tempDir();
    const writer = await createRunFolder(runsDir, makeRecord(), sources);
    const ids = Array.from({ length: 20 }, (_, i) => `stage${i}`);
    await Promise.all(ids.map((id, i) => writer.updateStage(id, stage('ran', `sig${i}`, i))));
    const onDisk = await readRecord(writer.dir);
    expect(Object.keys(onDisk.stages).sort()).toEqual([...ids].sort());
    expect(onDisk.stages.stage7).toEqual(stage('ran', 'sig7', 7));
    // No temp files are left behind by the atomic writes.
    expect((await readdir(writer.dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('never overwrites a run that started in the same millisecond', async () => {
    const runsDir = await tempDir();
    const first = await createRunFolder(runsDir, makeRecord(), sources);
    const second = await createRunFolder(runsDir, makeRecord(), sources);
    expect(first.id).toBe('20261127-033512-123-demo');
    expect(second.id).toBe('20261127-033512-123-demo-2');
    expect((await readRecord(second.dir)).id).toBe('20261127-033512-123-demo-2');
  });

  it('keeps NaN and Infinity metrics visible instead of turning them into null', async () => {
    const runsDir = await tempDir();
    const writer = await createRunFolder(runsDir, makeRecord(), sources);
    await writer.finishRun('completed', { train: { loss: Number.NaN, grad: Number.POSITIVE_INFINITY, ok: null } });
    expect(await readMetrics(writer.dir)).toEqual({ train: { loss: 'NaN', grad: 'Infinity', ok: null } });
  });
});
