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
import { copyFile, cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, StageUserError } from '../../src/sdk/index.js';
import { buildModelInfo, tokensHeaderInfo, type TokensHeaderInfo } from './model-info.js';

export interface SaveParams {
  path?: string;
}

const STAGE = 'save';
/** Files copied from the model artifact besides the weights. */
const MODEL_FILES = ['config.json'];
const TOKENIZER_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir)).length === 0;
}

/** A folder fnd may replace: missing, empty, or one that save wrote before (config.json + fnd.json). */
async function checkTarget(target: string, given: string): Promise<void> {
  if (!existsSync(target)) return;
  if (!(await stat(target)).isDirectory()) throw new StageUserError(`${STAGE}: path "${given}" (${target}) is a file; give a folder`);
  if (await isEmptyDir(target)) return;
  if (existsSync(join(target, 'fnd.json')) && existsSync(join(target, 'config.json'))) return;
  throw new StageUserError(
    `${STAGE}: path "${given}" (${target}) is a non-empty folder that is not an fnd model (no fnd.json and config.json); ` +
      'refusing to overwrite it: choose another path or empty it',
  );
}

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
          'Also copy the folder here (relative to the spec). Written when the stage runs, not when it is restored from the cache. A non-empty folder that is not an fnd model is never overwritten.',
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
    const target = params.path === undefined ? undefined : ctx.resolvePath(params.path);
    if (target !== undefined) await checkTarget(target, params.path!);

    const { readConfigFile } = await import('../../src/nn/checkpoint/config.js');
    const out = ctx.outputDir('model');
    // Refuses what fnd cannot load (not BERT, bad sizes) before anything is written.
    const config = await readConfigFile(join(model.path, 'config.json'));
    for (const file of MODEL_FILES) await copyFile(join(model.path, file), join(out, file));
    if (existsSync(join(model.path, 'model.safetensors'))) {
      await copyFile(join(model.path, 'model.safetensors'), join(out, 'model.safetensors'));
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
      for (const file of present) await copyFile(join(model.path, file), join(out, file));
      if (!present.includes('vocab.txt')) ctx.log.warn('no tokens input and no tokenizer in the model folder: fnd predict will not be able to use this model');
    }

    // Class names: the model's, checked against the data's; the data's replace placeholders (LABEL_0)
    // in config.json too, so Python's transformers sees the same names as fnd's reports.
    const { agreeOnClassNames } = await import('../../src/artifacts/classes.js');
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
      await writeFile(configPath, `${JSON.stringify(json, null, 2)}\n`);
    }
    const { readFndModelInfo, writeFndModelInfo } = await import('../../src/predict/fnd-json.js');
    const info = buildModelInfo(await readFndModelInfo(model.path), header, id2label);
    await writeFndModelInfo(out, info);

    await cp(out, join(ctx.exportDir, 'model'), { recursive: true });
    if (target !== undefined) {
      await rm(target, { recursive: true, force: true });
      await cp(out, target, { recursive: true });
      ctx.log.info(`saved to ${target}`);
    }
    const files = (await readdir(out)).sort();
    let bytes = 0;
    for (const file of files) bytes += (await stat(join(out, file))).size;
    return {
      metrics: { files: files.length, bytes, preparation_steps: info.preparation.length, max_length: info.tokenizer?.max_length ?? null },
      summary: `${files.length} files (${(bytes / 1e6).toFixed(1)} MB)${target !== undefined ? `, copied to ${params.path}` : ''}`,
    };
  },
});
