/**
 * Hugging Face's `BertPreTrainedModel._init_weights`: Linear and Embedding weights ~ normal(0,
 * initializer_range), biases 0, LayerNorm weight 1 / bias 0, and the word-embedding row of
 * `pad_token_id` zeroed. Drawn from fnd's seeded RNG so a seed gives the same model everywhere.
 */
import type { Rng } from '../../sdk/index.js';
import { createRng } from '../../util/rng.js';
import { FndConfigError } from '../../util/errors.js';
import { makeBertConfig, type BertConfig, type BertConfigInput } from './config.js';
import { paramSpecs, type ParamSpec } from './params.js';
import { BertForSequenceClassification } from './model.js';

export function initParam(spec: ParamSpec, config: BertConfig, rng: Rng): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  switch (spec.role) {
    case 'bias':
      break;
    case 'layernorm-weight':
      data.fill(1);
      break;
    case 'linear-weight':
    case 'embedding':
      for (let i = 0; i < size; i++) data[i] = rng.normal() * config.initializerRange;
      if (spec.name === 'bert.embeddings.word_embeddings.weight') {
        const pad = config.padTokenId;
        const width = spec.shape[1]!;
        if (pad >= 0 && pad < spec.shape[0]!) data.fill(0, pad * width, (pad + 1) * width);
      }
      break;
  }
  return data;
}

/** Initial values for every parameter of `config`, in state-dict order. */
export function initWeights(config: BertConfig, specs: ParamSpec[], seed: number): Map<string, Float32Array> {
  const rng = createRng(seed);
  const out = new Map<string, Float32Array>();
  for (const spec of specs) out.set(spec.name, initParam(spec, config, rng));
  return out;
}

export interface InitOptions {
  /** Seed for the weights (and, offset by one, for dropout). Default 0. */
  seed?: number;
}

/**
 * A fresh, randomly initialised model (Hugging Face's init), deterministic for a seed. `config`
 * takes fnd's camelCase fields or a Hugging Face config.json object as it is (snake_case).
 */
export function initModel(config: BertConfigInput, options: InitOptions = {}): BertForSequenceClassification {
  let full: BertConfig;
  try {
    full = makeBertConfig(config);
  } catch (e) {
    throw new FndConfigError(`invalid BERT config: ${(e as Error).message}`);
  }
  const seed = options.seed ?? 0;
  return new BertForSequenceClassification(full, initWeights(full, paramSpecs(full), seed), { dropoutSeed: seed + 1 });
}
