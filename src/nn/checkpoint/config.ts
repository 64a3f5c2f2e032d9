/**
 * config.json in Hugging Face's format ↔ BertConfig. Reading is lenient the way transformers is
 * (missing fields take BertConfig defaults, unknown fields such as TinyBERT's `cell` are ignored);
 * values that would change the math in ways fnd does not implement are refused by name.
 */
import { readFile } from 'node:fs/promises';
import { FndError } from '../../util/errors.js';
import { defaultId2label, makeBertConfig, type BertConfig, type HiddenAct } from '../bert/config.js';
import { checkConfigBounds, checkModelMemory, type MemoryBudget } from './model-limits.js';

export interface LabelOptions {
  /** Overrides the config's num_labels (a different count resets id2label to LABEL_i, as transformers does). */
  numLabels?: number;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
}

const NUMERIC_FIELDS: [string, keyof BertConfig][] = [
  ['vocab_size', 'vocabSize'],
  ['hidden_size', 'hiddenSize'],
  ['num_hidden_layers', 'numHiddenLayers'],
  ['num_attention_heads', 'numAttentionHeads'],
  ['intermediate_size', 'intermediateSize'],
  ['hidden_dropout_prob', 'hiddenDropoutProb'],
  ['attention_probs_dropout_prob', 'attentionProbsDropoutProb'],
  ['max_position_embeddings', 'maxPositionEmbeddings'],
  ['type_vocab_size', 'typeVocabSize'],
  ['initializer_range', 'initializerRange'],
  ['layer_norm_eps', 'layerNormEps'],
  ['pad_token_id', 'padTokenId'],
];

function labelsFromLabel2id(label2id: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, id] of Object.entries(label2id)) out[String(id)] = label;
  return out;
}

/** Turns a parsed config.json object into a BertConfig; `file` names the source in errors. */
export function configFromJson(json: unknown, file: string, labels: LabelOptions = {}, budget?: MemoryBudget): BertConfig {
  const fail = (message: string): never => {
    throw new FndError(`${file}: ${message}`, { exitCode: 2 });
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('config.json must hold a JSON object');
  const raw = json as Record<string, unknown>;
  if (raw.model_type !== undefined && raw.model_type !== 'bert') {
    fail(`model_type is ${JSON.stringify(raw.model_type)}; fnd implements BERT ("bert") only`);
  }
  if (raw.position_embedding_type !== undefined && raw.position_embedding_type !== 'absolute') {
    fail(`position_embedding_type ${JSON.stringify(raw.position_embedding_type)} is not supported (only "absolute")`);
  }
  // Sizes first, by their config.json names, so nothing below works with an absurd one.
  checkConfigBounds(raw, file);
  const partial: Partial<BertConfig> = {};
  for (const [key, field] of NUMERIC_FIELDS) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${key} must be a number, got ${JSON.stringify(v)}`);
    (partial as Record<string, unknown>)[field] = v;
  }
  if (raw.hidden_act !== undefined) {
    if (raw.hidden_act !== 'gelu' && raw.hidden_act !== 'relu') {
      fail(`hidden_act ${JSON.stringify(raw.hidden_act)} is not supported (fnd implements "gelu" (erf) and "relu")`);
    }
    partial.hiddenAct = raw.hidden_act as HiddenAct;
  }
  let id2label: Record<string, string> | undefined;
  if (raw.id2label !== undefined) {
    if (typeof raw.id2label !== 'object' || raw.id2label === null) fail('id2label must be an object');
    id2label = Object.fromEntries(Object.entries(raw.id2label as object).map(([k, v]) => [String(Number(k)), String(v)]));
  }
  let numLabels = typeof raw.num_labels === 'number' ? raw.num_labels : id2label ? Object.keys(id2label).length : 2;
  if (labels.id2label) id2label = { ...labels.id2label };
  else if (labels.label2id) id2label = labelsFromLabel2id(labels.label2id);
  if (labels.id2label || labels.label2id) numLabels = Object.keys(id2label!).length;
  if (labels.numLabels !== undefined) {
    if (id2label && Object.keys(id2label).length !== labels.numLabels) {
      if (labels.id2label || labels.label2id) fail(`numLabels ${labels.numLabels} disagrees with the ${Object.keys(id2label).length} labels given`);
      id2label = undefined;
    }
    numLabels = labels.numLabels;
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
    throw new FndError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FndError(`${path}: not valid JSON (${(e as Error).message})`, { exitCode: 2 });
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
