/**
 * init-bert (the notebook's `init-tinybert`): a BertForSequenceClassification from a Hub id, a
 * folder, or a config for a fresh model, with `num_labels` / `id2label` set. Parameters the
 * checkpoint lacks (the classifier of a pre-trained encoder) are initialised from `seed` as
 * transformers does; checkpoint tensors the model does not use (TinyBERT's fit_denses) are
 * reported. Output: the model folder in the save_pretrained layout.
 *
 * The model code is imported inside `run` (the engine imports every stage module of a spec,
 * even on a fully cached run).
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { positionsInspector } from './inspect.js';
import { defineStage, StageUserError, type FingerprintContext } from '../../src/sdk/index.js';
import { findSnapshot, hubCacheDir, isRepoId } from '../../src/hub/index.js';
import { copyPassThroughFiles, PASS_THROUGH_FILES } from '../../src/training/pass-through.js';
import { agreeOnClassNames, formatClassNames } from '../../src/artifacts/classes.js';

export interface InitBertParams {
  model?: string;
  config?: Record<string, unknown>;
  num_labels?: number;
  id2label?: Record<string, string>;
  seed?: number;
}

const MODEL_FILES = ['config.json', 'model.safetensors', 'pytorch_model.bin', ...PASS_THROUGH_FILES];

/** The folder a `model` param names, when it exists locally (a path, or a Hub id already in the cache). */
function localModelFolder(model: string, resolvePath: (p: string) => string): string | undefined {
  const path = resolvePath(model);
  if (existsSync(path)) return path;
  if (!isRepoId(model)) return undefined;
  return findSnapshot(hubCacheDir(), model)?.snapshotDir;
}

/** Content of the model's files, so replacing the weights in a folder reruns the stage. */
async function fingerprint(params: InitBertParams, ctx: FingerprintContext): Promise<Record<string, string>> {
  if (params.model === undefined) return {};
  const dir = localModelFolder(params.model, ctx.resolvePath);
  if (!dir || !statSync(dir).isDirectory()) return {};
  const out: Record<string, string> = {};
  const present = new Set(await readdir(dir));
  for (const file of MODEL_FILES) {
    if (present.has(file)) out[`model/${file}`] = await ctx.hashFile(join(dir, file));
  }
  return out;
}

/**
 * The class names of the new model, from one source of truth: the data's (its `data` input:
 * the tokens' header, written from the loader's table) when id2label is not given; id2label when
 * given, which must then agree with the data (else the run stops here, before any training).
 * Without either: num_labels placeholders LABEL_0, LABEL_1, ... as transformers does.
 */
export function resolveLabels(params: InitBertParams, data?: { names: Record<string, string> | undefined; what: string }): Record<string, string> {
  const given = params.id2label;
  if (given !== undefined) {
    const count = Object.keys(given).length;
    if (params.num_labels !== undefined && count !== params.num_labels) {
      throw new StageUserError(`init-bert: id2label has ${count} labels but num_labels is ${params.num_labels}`);
    }
    const keys = Object.keys(given).map(Number).sort((a, b) => a - b);
    if (keys.some((k, i) => k !== i)) {
      throw new StageUserError(`init-bert: id2label keys must be 0..${count - 1}, got ${Object.keys(given).join(', ')}`);
    }
    if (data?.names !== undefined) {
      return agreeOnClassNames('init-bert', [{ names: given, what: "init-bert's id2label" }, { names: data.names, what: data.what }],
        'remove id2label to take the names from the data, or change the classes (label_map, classes, file labels) where the data is loaded')!;
    }
    return { ...given };
  }
  if (data?.names !== undefined) {
    const count = Object.keys(data.names).length;
    if (params.num_labels !== undefined && params.num_labels !== count) {
      throw new StageUserError(`init-bert: num_labels is ${params.num_labels} but ${data.what} has ${count} classes (${formatClassNames(data.names)})`);
    }
    return { ...data.names };
  }
  return Object.fromEntries(Array.from({ length: params.num_labels ?? 2 }, (_, i) => [String(i), `LABEL_${i}`]));
}

export default defineStage<InitBertParams>({
  name: 'init-bert',
  version: '1',
  description: 'A BERT sequence classifier from a Hub id, a folder, or a config (fresh weights), with its labels set',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: {
        type: 'string',
        minLength: 1,
        description: 'Hugging Face Hub id (e.g. huawei-noah/TinyBERT_General_4L_312D, read from the HF cache) or a folder with config.json and model.safetensors / pytorch_model.bin, relative to the spec. Leave out to start from `config`.',
      },
      config: {
        type: 'object',
        description: 'BERT config.json fields for a fresh, randomly initialised model when `model` is absent, e.g. {num_hidden_layers: 2, hidden_size: 64, num_attention_heads: 2, intermediate_size: 128, vocab_size: 30522}. With `model`, fields given here override the checkpoint\'s config.json (e.g. hidden_dropout_prob).',
      },
      num_labels: { type: 'integer', minimum: 1, description: 'Number of classes. Default: the number of classes of the data input, else 2.' },
      id2label: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description:
          'Class index → name, written into config.json (id2label / label2id). Default: the class names of the data input. When given with a data input, the two must agree (the run stops otherwise).',
      },
      seed: { type: 'integer', description: "Seed for fresh weights (the classifier head of a checkpoint); defaults to the spec's seed." },
    },
  },
  inputs: {
    data: {
      kind: 'tokens',
      optional: true,
      description: 'The training data (tokens): its class names become id2label, or are checked against a given id2label.',
    },
  },
  outputs: { model: { kind: 'model', description: 'config.json + model.safetensors (save_pretrained layout)' } },
  device: 'cpu',
  inspect: positionsInspector(localModelFolder),
  tensors: true,
  deterministic: true,
  fingerprint,
  async run(ctx, inputs, params) {
    let data: { names: Record<string, string> | undefined; what: string } | undefined;
    if (inputs.data !== undefined) {
      if (inputs.data.kind !== 'tokens') throw new StageUserError(`init-bert: input "data" must be tokens, got ${inputs.data.kind}`);
      const { readTokensHeader } = await import('../../src/artifacts/tokens.js');
      const header = await readTokensHeader(inputs.data.path);
      data = { names: header.labels, what: `the data (input "data" from ${inputs.data.producer.stageId})` };
    }
    const id2label = resolveLabels(params, data);
    const numLabels = Object.keys(id2label).length;
    const seed = params.seed ?? 42;
    const { initBackend } = await import('../../src/nn/backend/index.js');
    await initBackend({ device: ctx.device });
    const { configFromJson } = await import('../../src/nn/checkpoint/config.js');
    const { initModel } = await import('../../src/nn/bert/init.js');
    const { resolveModelFolder, readWeights, assignWeights } = await import('../../src/nn/checkpoint/load.js');
    const { BertForSequenceClassification } = await import('../../src/nn/bert/model.js');

    let model: InstanceType<typeof BertForSequenceClassification>;
    let source: string;
    let folder: string | undefined;
    if (params.model === undefined) {
      if (!params.config) throw new StageUserError('init-bert: give `model` (a Hub id or folder) or `config` (for a fresh model)');
      const config = configFromJson({ ...params.config, num_labels: numLabels }, `init-bert config`, { id2label });
      model = initModel(config, { seed });
      source = 'config';
    } else {
      const local = ctx.resolvePath(params.model);
      const location = existsSync(local) ? local : params.model;
      folder = await resolveModelFolder(location, {
        cwd: ctx.projectDir,
        onProgress: (p) => ctx.progress({ current: p.loaded, total: p.total, unit: 'bytes', message: `downloading ${p.file}` }),
      });
      // Read the config ourselves so `config` overrides (e.g. dropout) apply before the weights load.
      const configPath = join(folder, 'config.json');
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(configPath, 'utf8'));
      } catch (error) {
        throw new StageUserError(`init-bert: cannot read ${configPath}: ${(error as Error).message}`);
      }
      const overrides = params.config ? { ...params.config, num_labels: numLabels } : { num_labels: numLabels };
      const config = configFromJson({ ...(raw as object), ...overrides }, configPath, { id2label });
      const { file, tensors } = await readWeights(folder);
      const { weights, report } = assignWeights(config, tensors, file, seed);
      model = new BertForSequenceClassification(config, weights, { dropoutSeed: seed + 1 });
      model.loadReport = report;
      source = params.model;
    }
    try {
      const report = model.loadReport ?? { unused: [], newlyInitialized: [], ignored: [] };
      if (report.unused.length > 0) {
        ctx.log.info(`${report.unused.length} checkpoint tensor(s) not used by BertForSequenceClassification: ${report.unused.join(', ')}`);
      }
      if (report.newlyInitialized.length > 0) {
        ctx.log.info(`${report.newlyInitialized.length} tensor(s) newly initialised (seed ${seed}): ${report.newlyInitialized.join(', ')}; train the model before using it`);
      }
      const out = ctx.outputDir('model');
      await model.save(out);
      if (folder) await copyPassThroughFiles(folder, out);
      const c = model.config;
      return {
        metrics: {
          source,
          parameters: model.numParameters(),
          layers: c.numHiddenLayers,
          hidden_size: c.hiddenSize,
          num_labels: c.numLabels,
          id2label: c.id2label,
          unused: report.unused,
          newly_initialized: report.newlyInitialized,
        },
        summary: `${source === 'config' ? 'fresh model' : source}: ${model.numParameters().toLocaleString('en-US')} parameters, ${report.newlyInitialized.length} newly initialised, ${report.unused.length} unused`,
      };
    } finally {
      model.dispose();
    }
  },
});
