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

/**
 * Fills defaults; id2label follows numLabels when only one of them is given. An unknown field is
 * an error, not ignored: `initModel({ hidden_size: 312 })` (config.json spelling) would otherwise
 * build a BERT-base silently.
 */
export function makeBertConfig(partial: Partial<BertConfig> = {}): BertConfig {
  for (const key of Object.keys(partial)) {
    if (key in DEFAULT_BERT_CONFIG) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const hint = camel in DEFAULT_BERT_CONFIG ? camel : suggest(key, Object.keys(DEFAULT_BERT_CONFIG));
    throw new Error(`unknown BERT config field "${key}"${hint ? `; did you mean "${hint}"?` : ''} (config.json files are read with configFromJson)`);
  }
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
