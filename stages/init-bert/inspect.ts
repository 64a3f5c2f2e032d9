/**
 * init-bert's static facts: the model's positions as the spec fixes them, so `fnd validate`
 * can check tokenize's max_length against them before anything runs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inspection, InspectContext } from '../../src/sdk/index.js';
import { DEFAULT_BERT_CONFIG } from '../../src/nn/bert/config.js';
import { modelFacts } from '../../src/training/positions-check.js';

interface PositionParams {
  model?: string;
  config?: Record<string, unknown>;
}

/**
 * `config.max_position_embeddings`, else the config.json of the local model folder (a path, or
 * a Hub id already in the cache, as `localFolder` finds it), else BERT's default for a fresh
 * model. Nothing for a model that is not here yet: training checks it then.
 */
export function positionsInspector(localFolder: (model: string, resolvePath: (p: string) => string) => string | undefined) {
  return async (params: PositionParams, _inputs: unknown, ctx: InspectContext): Promise<Inspection> => {
    const given = params.config?.max_position_embeddings;
    if (typeof given === 'number') return { outputs: { model: modelFacts(given, 'config.max_position_embeddings') } };
    if (params.model === undefined) return { outputs: { model: modelFacts(DEFAULT_BERT_CONFIG.maxPositionEmbeddings, 'the BERT default for a fresh model') } };
    const dir = localFolder(params.model, ctx.resolvePath);
    if (!dir) return {};
    const file = join(dir, 'config.json');
    let positions: unknown;
    try {
      positions = (JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>).max_position_embeddings;
    } catch {
      return {}; // A missing or broken config.json is reported when the stage runs.
    }
    return typeof positions === 'number' ? { outputs: { model: modelFacts(positions, file) } } : {};
  };
}
