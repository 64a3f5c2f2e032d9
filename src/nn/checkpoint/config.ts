/**
 * config.json in Hugging Face's format ↔ BertConfig. Reading is lenient the way transformers is
 * (missing fields take BertConfig defaults, unknown fields such as TinyBERT's `cell` are ignored);
 * values that would change the math in ways fnd does not implement are refused by name.
 */
import { readFile } from 'node:fs/promises';
import { FndConfigError, FndModelError } from '../../util/errors.js';
import { defaultId2label, labelsFromLabel2id, makeBertConfig, normalizeBertConfig, type BertConfig, type BertConfigInput } from '../bert/config.js';
import { checkConfigBounds, checkModelMemory, type MemoryBudget } from './model-limits.js';

export interface LabelOptions {
  /** Overrides the config's num_labels (a different count resets id2label to LABEL_i, as transformers does). */
  numLabels?: number;
  /** from_pretrained's spelling of numLabels. */
  num_labels?: number;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
}

/**
 * Turns a parsed config.json object into a BertConfig; `file` names the source in errors. Keys
 * fnd does not know are ignored here, as transformers ignores them (TinyBERT's files carry
 * `cell`, `pre_trained`, ...); initModel, given an object by a program, refuses them instead.
 * Sizes are checked against sane bounds (and, with a budget, the memory the model needs) before
 * anything is allocated.
 */
export function configFromJson(json: unknown, file: string, labels: LabelOptions = {}, budget?: MemoryBudget): BertConfig {
  const fail = (message: string): never => {
    throw new FndConfigError(`${file}: ${message}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('config.json must hold a JSON object');
  // Sizes first, by their config.json names, so nothing below works with an absurd one.
  checkConfigBounds(json as Record<string, unknown>, file);
  let partial: Partial<BertConfig> = {};
  try {
    partial = normalizeBertConfig(json as BertConfigInput, { unknownKeys: 'ignore' });
  } catch (e) {
    fail((e as Error).message);
  }
  let id2label = partial.id2label;
  let numLabels = partial.numLabels ?? (id2label ? Object.keys(id2label).length : 2);
  if (labels.id2label) id2label = { ...labels.id2label };
  else if (labels.label2id) id2label = labelsFromLabel2id(labels.label2id);
  if (labels.id2label || labels.label2id) numLabels = Object.keys(id2label!).length;
  if (labels.numLabels !== undefined && labels.num_labels !== undefined && labels.numLabels !== labels.num_labels) {
    fail(`numLabels ${labels.numLabels} and num_labels ${labels.num_labels} disagree`);
  }
  const wanted = labels.numLabels ?? labels.num_labels;
  if (wanted !== undefined) {
    if (id2label && Object.keys(id2label).length !== wanted) {
      if (labels.id2label || labels.label2id) fail(`numLabels ${wanted} disagrees with the ${Object.keys(id2label).length} labels given`);
      id2label = undefined;
    }
    numLabels = wanted;
  }
  partial.numLabels = numLabels;
  partial.id2label = id2label && Object.keys(id2label).length === numLabels ? id2label : defaultId2label(numLabels);
  let config: BertConfig;
  try {
    config = makeBertConfig(partial);
  } catch (e) {
    return fail((e as Error).message);
  }
  checkModelMemory(config, file, budget);
  return config;
}

export async function readConfigFile(path: string, labels: LabelOptions = {}): Promise<BertConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new FndModelError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FndModelError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return configFromJson(json, path, labels);
}

/** What transformers' save_pretrained writes for BertForSequenceClassification (keys sorted, as it does). */
export function configToJson(c: BertConfig): Record<string, unknown> {
  const label2id: Record<string, number> = {};
  for (const [id, label] of Object.entries(c.id2label)) label2id[label] = Number(id);
  const json: Record<string, unknown> = {
    architectures: ['BertForSequenceClassification'],
    attention_probs_dropout_prob: c.attentionProbsDropoutProb,
    classifier_dropout: null,
    hidden_act: c.hiddenAct,
    hidden_dropout_prob: c.hiddenDropoutProb,
    hidden_size: c.hiddenSize,
    id2label: c.id2label,
    initializer_range: c.initializerRange,
    intermediate_size: c.intermediateSize,
    label2id,
    layer_norm_eps: c.layerNormEps,
    max_position_embeddings: c.maxPositionEmbeddings,
    model_type: 'bert',
    num_attention_heads: c.numAttentionHeads,
    num_hidden_layers: c.numHiddenLayers,
    num_labels: c.numLabels,
    pad_token_id: c.padTokenId,
    position_embedding_type: 'absolute',
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
    type_vocab_size: c.typeVocabSize,
    use_cache: true,
    vocab_size: c.vocabSize,
  };
  return json;
}
