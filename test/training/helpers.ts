/** Shared pieces of the training tests: synthetic token splits, tiny models, running a stage for real. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageEvent } from '../../src/engine/context.js';
import { artifactAt } from '../helpers/run-stage.js';
import { writeTokens, type TokensRow } from '../../src/artifacts/tokens.js';
import { createRng } from '../../src/util/rng.js';
import type { Artifact, ArtifactKind } from '../../src/sdk/index.js';

export const TINY_CONFIG = {
  vocab_size: 100,
  hidden_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 64,
  max_position_embeddings: 32,
};

export function artifact(path: string, kind: ArtifactKind): Artifact {
  return artifactAt(path, kind);
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

export { runStage, type StageRun } from '../helpers/run-stage.js';

export function logLines(events: StageEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
}
