/**
 * save: the trained model as a folder in the `save_pretrained` layout — config.json (with
 * id2label/label2id), model.safetensors, the tokenizer files — plus fnd.json recording the text
 * preparation (cleaning rules, title + text concatenation, tokenizer, max_length), so that
 * `fnd predict runs/<id>/model "..."` and Python's transformers both load it.
 *
 * No tensor work: the model artifact already holds save_pretrained's files; this stage adds the
 * tokenizer and the preparation. The folder is the `model` output, lands in the run as
 * `runs/<id>/model/`, and with `path` is also copied to a folder of the user's choice.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, StageUserError } from '../../src/sdk/index.js';
import { copyAtomic, writeFileAtomic } from '../../src/util/fs/index.js';
import { agreeOnClassNames } from '../../src/artifacts/classes.js';
import { buildModelInfo, tokensHeaderInfo, type TokensHeaderInfo } from './model-info.js';
import { checkDestination, copyToDestination } from './destination.js';

export interface SaveParams {
  path?: string;
  overwrite: boolean;
}

const STAGE = 'save';
/** Files copied from the model artifact besides the weights. */
const MODEL_FILES = ['config.json'];
const TOKENIZER_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

export default defineStage<SaveParams>({
  name: STAGE,
  version: '1',
  description:
    'Writes the model in the save_pretrained layout (config.json, model.safetensors, tokenizer files) plus fnd.json (text preparation, max_length) into the run as model/, and optionally to a folder.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description:
          'Also copy the folder here (relative to the spec). Written when the stage runs, not when it is restored from the cache. Refused inside the cache, inside runs/, and for a folder holding files save did not write (fnd.json lists those it wrote).',
      },
      overwrite: {
        type: 'boolean',
        default: false,
        description: 'Allow `path` inside runs/ or holding files save did not write: same-named files are replaced; other files are never deleted.',
      },
    },
  },
  inputs: {
    model: { kind: 'model', description: 'The model to save (e.g. the train stage\'s best model).' },
    tokens: { kind: 'tokens', optional: true, description: 'Tokens the model was trained on: their header names the tokenizer, max_length and text preparation.' },
  },
  outputs: { model: { kind: 'model', description: 'The saved folder.' } },
  deterministic: true,
  async run(ctx, inputs, params) {
    const model = inputs.model;
    if (model === undefined) throw new StageUserError(`${STAGE}: input "model" is not connected`);
    if (model.kind !== 'model') throw new StageUserError(`${STAGE}: input "model" must be a model, got ${model.kind}`);
    const { readConfigFile } = await import('../../src/nn/checkpoint/config.js');
    const { readFndModelInfo, writeFndModelInfo } = await import('../../src/predict/fnd-json.js');
    const destination =
      params.path === undefined
        ? undefined
        : await checkDestination(ctx.resolvePath(params.path), params.path, {
            projectDir: ctx.projectDir,
            overwrite: params.overwrite === true,
            recordedFiles: async (dir) => (await readFndModelInfo(dir).catch(() => undefined))?.files,
          });

    const out = ctx.outputDir('model');
    // Refuses what fnd cannot load (not BERT, bad sizes) before anything is written.
    const config = await readConfigFile(join(model.path, 'config.json'));
    for (const file of MODEL_FILES) await copyAtomic(join(model.path, file), join(out, file));
    if (existsSync(join(model.path, 'model.safetensors'))) {
      await copyAtomic(join(model.path, 'model.safetensors'), join(out, 'model.safetensors'));
    } else {
      // A PyTorch checkpoint (e.g. straight from the Hub): converted, since the layout promises safetensors.
      const { readWeights } = await import('../../src/nn/checkpoint/load.js');
      const { writeSafetensors } = await import('../../src/nn/checkpoint/safetensors.js');
      const { tensors } = await readWeights(model.path);
      await writeSafetensors(join(out, 'model.safetensors'), tensors, { format: 'pt' });
    }

    let header: TokensHeaderInfo | undefined;
    if (inputs.tokens !== undefined) {
      if (inputs.tokens.kind !== 'tokens') throw new StageUserError(`${STAGE}: input "tokens" must be tokens, got ${inputs.tokens.kind}`);
      header = await tokensHeaderInfo(inputs.tokens.path);
      const { loadTokenizer } = await import('../../src/text/tokenizer.js');
      const { hashTokenizerFiles } = await import('../../src/text/tokenizer/fingerprint.js');
      const tokenizer = await loadTokenizer(header.tokenizerLocation, { download: false });
      if (header.filesSha256 !== undefined && (await hashTokenizerFiles(tokenizer.files)) !== header.filesSha256) {
        throw new StageUserError(`${STAGE}: the tokenizer files at ${header.tokenizerLocation} changed since the tokens were made; run the pipeline again`);
      }
      if (tokenizer.vocabSize > config.vocabSize) {
        throw new StageUserError(`${STAGE}: the tokenizer has ${tokenizer.vocabSize} tokens but the model's embeddings have ${config.vocabSize} rows`);
      }
      await tokenizer.saveTo(out);
    } else {
      const present = TOKENIZER_FILES.filter((file) => existsSync(join(model.path, file)));
      for (const file of present) await copyAtomic(join(model.path, file), join(out, file));
      if (!present.includes('vocab.txt')) ctx.log.warn('no tokens input and no tokenizer in the model folder: fnd predict will not be able to use this model');
    }

    // Class names: the model's, checked against the data's; the data's replace placeholders (LABEL_0)
    // in config.json too, so Python's transformers sees the same names as fnd's reports.
    const id2label = agreeOnClassNames(
      STAGE,
      [
        { names: config.id2label, what: "the model's id2label" },
        { names: header?.labels, what: `the data (input "tokens" from ${inputs.tokens?.producer.stageId ?? '?'})` },
      ],
      'the model was trained with other class names than these tokens have',
    )!;
    if (JSON.stringify(id2label) !== JSON.stringify(config.id2label)) {
      const configPath = join(out, 'config.json');
      const json = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
      json.id2label = id2label;
      json.label2id = Object.fromEntries(Object.entries(id2label).map(([id, name]) => [name, Number(id)]));
      await writeFileAtomic(configPath, `${JSON.stringify(json, null, 2)}\n`);
    }
    const info = buildModelInfo(await readFndModelInfo(model.path), header, id2label);
    const written = (await readdir(out)).filter((file) => file !== 'fnd.json').sort();
    await writeFndModelInfo(out, { ...info, files: written });

    await copyAtomic(out, join(ctx.exportDir, 'model'), { recursive: true });
    if (destination !== undefined) {
      await copyToDestination(out, destination, written, (dir, files) => writeFndModelInfo(dir, { ...info, files }));
      ctx.log.info(`saved to ${destination.target}`);
    }
    const files = (await readdir(out)).sort();
    let bytes = 0;
    for (const file of files) bytes += (await stat(join(out, file))).size;
    return {
      metrics: { files: files.length, bytes, preparation_steps: info.preparation.length, max_length: info.tokenizer?.max_length ?? null },
      summary: `${files.length} files (${(bytes / 1e6).toFixed(1)} MB)${destination !== undefined ? `, copied to ${params.path}` : ''}`,
    };
  },
});
