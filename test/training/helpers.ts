/** Shared pieces of the training tests: synthetic token splits, tiny models, running a stage for real. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { createStageContext, exportPath, outputPath, type StageEvent } from '../../src/engine/context.js';
import { writeTokens, type TokensRow } from '../../src/artifacts/tokens.js';
import { createRng } from '../../src/util/rng.js';
import type { Artifact, ArtifactKind, StageDefinition, StageResult } from '../../src/sdk/index.js';

export const TINY_CONFIG = {
  vocab_size: 100,
  hidden_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 64,
  max_position_embeddings: 32,
};

export function artifact(path: string, kind: ArtifactKind): Artifact {
  return { kind, path, hash: 'test', producer: { stageId: 'test', port: kind } };
}

/**
 * A trivially separable task: label 0 rows use ids 10..49, label 1 rows ids 50..89, after [CLS]=2
 * and before [SEP]=3; lengths vary from 5 to maxLength so dynamic padding matters.
 */
export async function syntheticTokens(count: number, seed: number, options: { maxLength?: number; ragged?: boolean } = {}): Promise<Artifact> {
  const maxLength = options.maxLength ?? 16;
  const rng = createRng(seed);
  const rows: TokensRow[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const length = 5 + rng.int(maxLength - 4);
    const ids = [2];
    for (let t = 1; t < length - 1; t++) ids.push((label === 0 ? 10 : 50) + rng.int(40));
    ids.push(3);
    rows.push({ ids, label, rowId: `row:${seed}:${i}` });
  }
  const dir = mkdtempSync(join(tmpdir(), 'fnd-tokens-'));
  await writeTokens(dir, { maxLength, padding: options.ragged ? 'longest' : 'max_length', vocabSize: 100, padId: 0, labels: { '0': 'fake', '1': 'real' }, tokenizer: { source: 'synthetic' } }, rows);
  return artifact(dir, 'tokens');
}

export interface StageRun {
  result: StageResult;
  outputs: Record<string, Artifact>;
  exportDir: string;
  events: StageEvent[];
  workDir: string;
}

export interface RunOptions {
  resumeDir?: string;
  signal?: AbortSignal;
  onEvent?: (event: StageEvent) => void;
  specDir?: string;
}

/** Runs a stage for real (schema defaults applied and validated, as the engine does). */
export async function runStage<P>(
  stage: StageDefinition<P>,
  params: Record<string, unknown>,
  inputs: Record<string, Artifact> = {},
  options: RunOptions = {},
): Promise<StageRun> {
  const workDir = mkdtempSync(join(tmpdir(), `fnd-${stage.name}-`));
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const withDefaults = structuredClone(params);
  const validate = ajv.compile(stage.params);
  if (!validate(withDefaults)) throw new Error(`params rejected: ${ajv.errorsText(validate.errors)}`);
  const events: StageEvent[] = [];
  const ctx = createStageContext({
    stageId: stage.name,
    plugin: stage.name,
    workDir,
    resumeDir: options.resumeDir ?? join(workDir, 'resume'),
    specDir: options.specDir ?? workDir,
    projectDir: workDir,
    seed: typeof withDefaults.seed === 'number' ? withDefaults.seed : 0,
    device: 'cpu',
    signal: options.signal ?? new AbortController().signal,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  const result = (await stage.run(ctx, inputs, withDefaults as P)) ?? {};
  const outputs: Record<string, Artifact> = {};
  for (const [port, spec] of Object.entries(stage.outputs)) outputs[port] = artifact(outputPath(workDir, port), spec.kind);
  return { result, outputs, exportDir: exportPath(workDir), events, workDir };
}

export function logLines(events: StageEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
}
