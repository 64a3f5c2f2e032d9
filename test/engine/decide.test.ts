/**
 * `fnd status` and `fnd run` decide through one function (decideStage): on every path they must
 * name the same stages and the same reasons, in the same order.
 */
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePipeline } from '../../src/engine/run-pipeline.js';
import { planPipeline, type StagePlan } from '../../src/engine/plan.js';
import { preparePipeline } from '../../src/engine/prepare.js';
import type { EngineEvent, Reporter } from '../../src/engine/events.js';
import type { RunRecord } from '../../src/runs/record.js';
import { BASIC_SPEC, PLUGINS, makeProject } from './project.js';

const TENSOR_PLUGIN = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'tensorish', version: '1', description: 'signed with the backend', tensors: true,
  params: { type: 'object', additionalProperties: false, properties: {} },
  inputs: { list: { kind: 'file' } }, outputs: { out: { kind: 'file' } },
  async run(ctx) { writeFileSync(join(ctx.outputDir('out'), 'out.txt'), 'x'); },
};
`;

const SPEC = `${BASIC_SPEC}  tensorish:
    uses: tensorish
    inputs: { list: numbers }
`;

let project: string;
const saved = process.env.FND_BACKEND;
beforeAll(() => {
  project = makeProject({ ...PLUGINS, 'stages/tensorish/index.ts': TENSOR_PLUGIN, 'pipeline.yaml': SPEC });
  delete process.env.FND_BACKEND;
});
afterAll(() => {
  if (saved === undefined) delete process.env.FND_BACKEND;
  else process.env.FND_BACKEND = saved;
  rmSync(project, { recursive: true, force: true });
});

interface Agreement {
  plans: StagePlan[];
  record: RunRecord;
  warnings: string[];
}

/** `fnd status` then `fnd run`, in process, with the same --set overrides. */
async function statusThenRun(sets: string[] = []): Promise<Agreement> {
  const spec = join(project, 'pipeline.yaml');
  const plans = await planPipeline(await preparePipeline(spec, { sets }));
  const warnings: string[] = [];
  const reporter: Reporter = {
    onEvent: (event: EngineEvent) => {
      if (event.type === 'warning') warnings.push(event.message);
    },
    close: async () => {},
  };
  const outcome = await executePipeline(await preparePipeline(spec, { sets }), { sets, reporter });
  expect(outcome.status).toBe('completed');
  return { plans, record: outcome.record, warnings };
}

/** Status's decision for each stage equals what run did, reasons included. */
function expectAgreement({ plans, record }: Agreement): Record<string, string[]> {
  const said: Record<string, string[]> = {};
  for (const plan of plans) {
    const stage = record.stages[plan.stageId]!;
    expect({ stage: plan.stageId, status: stage.status }).toEqual({ stage: plan.stageId, status: plan.status === 'cached' ? 'cached' : 'ran' });
    expect(stage.reasons ?? []).toEqual(plan.status === 'cached' ? [] : plan.reasons);
    if (plan.status === 'will run') {
      expect(stage.reason).toBe(plan.reason);
      said[plan.stageId] = plan.reasons;
    }
  }
  return said;
}

function entryDir(signature: string): string {
  return join(project, '.fnd', 'cache', signature.slice(0, 2), signature);
}

describe('status and run give the same decision and reasons', () => {
  it('on a first run, then a fully cached one', async () => {
    const first = await statusThenRun();
    expect(Object.values(expectAgreement(first)).every((reasons) => reasons[0] === 'never run before')).toBe(true);
    expect(expectAgreement(await statusThenRun())).toEqual({});
  });

  it('after a param change made with --set: that change first, then upstream stages', async () => {
    const said = expectAgreement(await statusThenRun(['seed=8', 'stages.sum-shuffled.with.offset=5']));
    expect(said).toEqual({
      shuffle: ['param seed changed: 7 → 8 (--set seed=8, --set stages.sum-shuffled.with.offset=5)'],
      'sum-shuffled': ['param offset changed: 100 → 5 (--set seed=8, --set stages.sum-shuffled.with.offset=5)', 'upstream stage shuffle runs first'],
    });
  });

  it('names the --set change before a change made in the spec file', async () => {
    writeFileSync(join(project, 'pipeline.yaml'), SPEC.replace('with: { offset: 100 }', 'with: { offset: 50 }'));
    // Last run: offset 5 (set), seed 8. Now the file says 50 and --set seed=9 changes the seed again.
    const said = expectAgreement(await statusThenRun(['seed=9']));
    expect(said.shuffle).toEqual(['param seed changed: 8 → 9 (--set seed=9)']);
    expect(said['sum-shuffled']).toEqual(['param offset changed: 5 → 50', 'upstream stage shuffle runs first']);
  });

  it('after an upstream change (a spec edit upstream)', async () => {
    writeFileSync(join(project, 'pipeline.yaml'), SPEC.replace('with: { offset: 100 }', 'with: { offset: 50 }').replace('count: 5', 'count: 6'));
    const said = expectAgreement(await statusThenRun(['seed=9']));
    expect(said.numbers).toEqual(['param count changed: 5 → 6']);
    for (const id of ['shuffle', 'sum', 'tensorish']) expect(said[id]).toEqual(['upstream stage numbers runs first']);
    expect(said['sum-shuffled']).toEqual(['upstream stage shuffle runs first']);
  });

  it('after a cache entry was removed', async () => {
    const last = await statusThenRun(['seed=9']);
    rmSync(entryDir(last.record.stages.sum!.signature), { recursive: true });
    expect(expectAgreement(await statusThenRun(['seed=9']))).toEqual({ sum: ['cache entry was removed (cache gc?)'] });
  });

  it('after an entry lost its commit marker or a byte: status and run name the corruption, run warns', async () => {
    const last = await statusThenRun(['seed=9']);
    rmSync(join(entryDir(last.record.stages.sum!.signature), 'COMMITTED'));
    const missingMarker = await statusThenRun(['seed=9']);
    expect(expectAgreement(missingMarker)).toEqual({ sum: ['cache entry is corrupt (COMMITTED marker missing (the entry was never completed))'] });
    expect(missingMarker.warnings).toEqual([
      'cache entry of stage "sum" is corrupt (COMMITTED marker missing (the entry was never completed)); running the stage again',
    ]);

    const file = join(entryDir(missingMarker.record.stages.sum!.signature), 'outputs', 'total', 'total.json');
    chmodSync(file, 0o644); // blobs are read-only; a user editing one in place changes its mode first
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\d/, (d) => String((Number(d) + 1) % 10)));
    const flipped = await statusThenRun(['seed=9']);
    expect(expectAgreement(flipped)).toEqual({ sum: ['cache entry is corrupt (outputs/total/total.json: sha256 mismatch)'] });
  });

  it('after a code change', async () => {
    const path = join(project, 'stages', 'sum', 'index.ts');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n// edited\n`);
    const said = expectAgreement(await statusThenRun(['seed=9']));
    expect(said).toEqual({ sum: ['code of plugin "sum" changed'], 'sum-shuffled': ['code of plugin "sum" changed'] });
  });

  it('after a backend change', async () => {
    const last = (await statusThenRun(['seed=9'])).record;
    const before = JSON.parse(readFileSync(join(entryDir(last.stages.tensorish!.signature), 'meta.json'), 'utf8')).details.environment.backend;
    process.env.FND_BACKEND = before === 'wasm' ? 'cpu' : 'wasm';
    try {
      const said = expectAgreement(await statusThenRun(['seed=9']));
      expect(Object.keys(said)).toEqual(['tensorish']);
      expect(said.tensorish![0]).toBe(`backend changed: ${before} → ${process.env.FND_BACKEND}`);
      if (before === 'wasm-blas+native-kernels') expect(said.tensorish).toContain('FND_NATIVE_ISA changed: (auto) → (none)');
    } finally {
      delete process.env.FND_BACKEND;
    }
    expect(readdirSync(join(project, 'runs')).length).toBeGreaterThan(8);
  });
});
