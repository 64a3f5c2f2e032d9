import { suggest } from '../../util/suggest.js';

/**
 * The sizes and settings of a BERT sequence classifier, with Hugging Face's `BertConfig`
 * defaults (bert-base) for anything a config.json leaves out.
 */

export type HiddenAct = 'gelu' | 'relu';

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: HiddenAct;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  initializerRange: number;
  layerNormEps: number;
  padTokenId: number;
  numLabels: number;
  /** Label names by class index ("0" → "fake"); Hugging Face's default is LABEL_0, LABEL_1, ... */
  id2label: Record<string, string>;
}

export const DEFAULT_BERT_CONFIG: Readonly<BertConfig> = Object.freeze({
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  padTokenId: 0,
  numLabels: 2,
  id2label: { '0': 'LABEL_0', '1': 'LABEL_1' },
});

export function defaultId2label(numLabels: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < numLabels; i++) out[String(i)] = `LABEL_${i}`;
  return out;
}

/** config.json's (snake_case) name for each BertConfig field. */
export const CONFIG_JSON_NAMES: Readonly<Record<keyof BertConfig, string>> = Object.freeze({
  vocabSize: 'vocab_size',
  hiddenSize: 'hidden_size',
  numHiddenLayers: 'num_hidden_layers',
  numAttentionHeads: 'num_attention_heads',
  intermediateSize: 'intermediate_size',
  hiddenAct: 'hidden_act',
  hiddenDropoutProb: 'hidden_dropout_prob',
  attentionProbsDropoutProb: 'attention_probs_dropout_prob',
  maxPositionEmbeddings: 'max_position_embeddings',
  typeVocabSize: 'type_vocab_size',
  initializerRange: 'initializer_range',
  layerNormEps: 'layer_norm_eps',
  padTokenId: 'pad_token_id',
  numLabels: 'num_labels',
  id2label: 'id2label',
});

/** A Hugging Face config.json for BERT, as `JSON.parse` returns it (the fields fnd reads or checks). */
export interface HfBertConfigJson {
  vocab_size?: number;
  hidden_size?: number;
  num_hidden_layers?: number;
  num_attention_heads?: number;
  intermediate_size?: number;
  hidden_act?: HiddenAct;
  hidden_dropout_prob?: number;
  attention_probs_dropout_prob?: number;
  max_position_embeddings?: number;
  type_vocab_size?: number;
  initializer_range?: number;
  layer_norm_eps?: number;
  pad_token_id?: number;
  num_labels?: number;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  model_type?: string;
  position_embedding_type?: string;
  classifier_dropout?: number | null;
  problem_type?: string | null;
  architectures?: string[];
  transformers_version?: string;
  torch_dtype?: string;
  use_cache?: boolean;
}

/** What initModel accepts: fnd's camelCase fields, config.json's snake_case ones, or a mix (each field once). */
export type BertConfigInput = Partial<BertConfig> | HfBertConfigJson;

/** config.json keys that describe the file, not the math: accepted and ignored. */
const HARMLESS_JSON_KEYS = new Set([
  'architectures', 'transformers_version', 'torch_dtype', 'use_cache', '_name_or_path', 'gradient_checkpointing',
  'output_attentions', 'output_hidden_states', 'return_dict', 'finetuning_task', 'tokenizer_class',
]);

const FIELD_BY_JSON_NAME = new Map<string, keyof BertConfig>(
  (Object.entries(CONFIG_JSON_NAMES) as [keyof BertConfig, string][]).map(([field, json]) => [json, field]),
);

/** config.json keys that are accepted only with values fnd implements; each check returns why not, or undefined. */
const CHECKED_JSON_KEYS: Record<string, (value: unknown, input: Record<string, unknown>) => string | undefined> = {
  model_type: (v) => (v === 'bert' ? undefined : `model_type is ${JSON.stringify(v)}; fnd implements BERT ("bert") only`),
  position_embedding_type: (v) => (v === 'absolute' ? undefined : `position_embedding_type ${JSON.stringify(v)} is not supported (only "absolute")`),
  problem_type: (v) =>
    v === 'single_label_classification' ? undefined : `problem_type ${JSON.stringify(v)} is not supported (only "single_label_classification")`,
  // transformers uses classifier_dropout when set, hidden_dropout_prob otherwise; fnd implements the latter.
  classifier_dropout: (v, input) => {
    const hidden = input.hidden_dropout_prob ?? input.hiddenDropoutProb ?? DEFAULT_BERT_CONFIG.hiddenDropoutProb;
    return v === hidden ? undefined : `classifier_dropout ${JSON.stringify(v)} differs from hidden_dropout_prob ${JSON.stringify(hidden)}; fnd's classifier uses hidden_dropout_prob (set classifier_dropout to null)`;
  },
  label2id: () => undefined, // turned into id2label below when id2label is absent
};

export interface NormalizeOptions {
  /** 'error' (default): an unknown key is refused with a did-you-mean; 'ignore': skipped, as transformers does when reading a file. */
  unknownKeys?: 'error' | 'ignore';
}

/**
 * Turns either spelling into BertConfig fields. Throws a plain Error naming the key; callers
 * wrap it (FndConfigError, or with the file's name).
 */
export function normalizeBertConfig(input: BertConfigInput, options: NormalizeOptions = {}): Partial<BertConfig> {
  const raw = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const spelledAs = new Map<keyof BertConfig, string>();
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const field: keyof BertConfig | undefined = key in DEFAULT_BERT_CONFIG ? (key as keyof BertConfig) : FIELD_BY_JSON_NAME.get(key);
    if (field === undefined) {
      const check = CHECKED_JSON_KEYS[key];
      if (check) {
        if (value === null) continue;
        const problem = check(value, raw);
        if (problem) throw new Error(problem);
        continue;
      }
      if (HARMLESS_JSON_KEYS.has(key) || options.unknownKeys === 'ignore') continue;
      throw new Error(`unknown BERT config field "${key}"${didYouMean(key)}`);
    }
    // config.json writes null for "not set"; the default applies.
    if (value === null) continue;
    const previous = spelledAs.get(field);
    if (previous !== undefined && JSON.stringify(out[field]) !== JSON.stringify(value)) {
      throw new Error(`"${previous}" and "${key}" name the same field with different values (${JSON.stringify(out[field])} and ${JSON.stringify(value)})`);
    }
    spelledAs.set(field, key);
    out[field] = fieldValue(field, key, value);
  }
  if (out.id2label === undefined && raw.label2id !== undefined && raw.label2id !== null) out.id2label = labelsFromLabel2id(raw.label2id);
  return out as Partial<BertConfig>;
}

/** A field's value checked for its type, with the key as the user wrote it in the message. */
function fieldValue(field: keyof BertConfig, key: string, value: unknown): unknown {
  if (field === 'id2label') return normalizeId2label(value);
  if (field === 'hiddenAct') {
    if (value !== 'gelu' && value !== 'relu') throw new Error(`${key} ${JSON.stringify(value)} is not supported (fnd implements "gelu" (erf) and "relu")`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${key} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function didYouMean(key: string): string {
  // Suggest in the spelling the key was written in: snake_case keys among config.json's names.
  const candidates = key.includes('_') ? [...FIELD_BY_JSON_NAME.keys(), ...Object.keys(CHECKED_JSON_KEYS)] : Object.keys(DEFAULT_BERT_CONFIG);
  const hint = suggest(key, candidates) ?? suggest(key, [...FIELD_BY_JSON_NAME.keys(), ...Object.keys(DEFAULT_BERT_CONFIG)]);
  return hint ? `; did you mean "${hint}"?` : '';
}

/** id2label with canonical integer keys ("0", "1", ...): JSON object keys are strings, a Map-like object may have numbers. */
function normalizeId2label(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('id2label must be an object mapping class index to label name');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [String(Number(k)), String(v)]));
}

/** id2label from a label2id object ({fake: 0} → {"0": "fake"}). */
export function labelsFromLabel2id(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('label2id must be an object mapping label name to class index');
  const out: Record<string, string> = {};
  for (const [label, id] of Object.entries(value)) out[String(id)] = label;
  return out;
}

/**
 * Fills defaults; id2label follows numLabels when only one of them is given. Accepts fnd's
 * camelCase fields and config.json's snake_case ones. An unknown field is an error, not
 * ignored: a typo such as `hiden_size` would otherwise build a BERT-base silently.
 */
export function makeBertConfig(input: BertConfigInput = {}): BertConfig {
  const partial = normalizeBertConfig(input);
  const numLabels = partial.numLabels ?? (partial.id2label ? Object.keys(partial.id2label).length : DEFAULT_BERT_CONFIG.numLabels);
  const config: BertConfig = {
    ...DEFAULT_BERT_CONFIG,
    ...partial,
    numLabels,
    id2label: partial.id2label ? { ...partial.id2label } : defaultId2label(numLabels),
  };
  validateBertConfig(config);
  return config;
}

/** Throws a plain Error naming the field; callers that know the file wrap it in an FndError. */
export function validateBertConfig(c: BertConfig): void {
  const positive: (keyof BertConfig)[] = [
    'vocabSize', 'hiddenSize', 'numHiddenLayers', 'numAttentionHeads', 'intermediateSize',
    'maxPositionEmbeddings', 'typeVocabSize', 'numLabels',
  ];
  for (const key of positive) {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    throw new Error(`hiddenSize ${c.hiddenSize} is not a multiple of numAttentionHeads ${c.numAttentionHeads}`);
  }
  for (const key of ['hiddenDropoutProb', 'attentionProbsDropoutProb'] as const) {
    if (!(c[key] >= 0 && c[key] < 1)) throw new Error(`${key} must be in [0, 1), got ${c[key]}`);
  }
  if (!(c.layerNormEps > 0)) throw new Error(`layerNormEps must be > 0, got ${c.layerNormEps}`);
  if (!(c.initializerRange > 0)) throw new Error(`initializerRange must be > 0, got ${c.initializerRange}`);
  if (c.hiddenAct !== 'gelu' && c.hiddenAct !== 'relu') throw new Error(`hiddenAct must be "gelu" or "relu", got ${JSON.stringify(c.hiddenAct)}`);
  if (Object.keys(c.id2label).length !== c.numLabels) {
    throw new Error(`id2label has ${Object.keys(c.id2label).length} entries but numLabels is ${c.numLabels}`);
  }
}
