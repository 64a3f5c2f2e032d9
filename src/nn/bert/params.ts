/**
 * Parameter names and shapes of BertForSequenceClassification, exactly as Hugging Face's state
 * dict names them (so checkpoints map one to one, and saved files load in Python).
 */
import type { BertConfig } from './config.js';

/** How Hugging Face's `_init_weights` treats a parameter. */
export type ParamRole = 'linear-weight' | 'embedding' | 'layernorm-weight' | 'bias';

export interface ParamSpec {
  name: string;
  shape: number[];
  role: ParamRole;
}

export function layerPrefix(i: number): string {
  return `bert.encoder.layer.${i}.`;
}

/** All trainable parameters, in state-dict order. */
export function paramSpecs(c: BertConfig): ParamSpec[] {
  const H = c.hiddenSize;
  const F = c.intermediateSize;
  const specs: ParamSpec[] = [];
  const linear = (name: string, out: number, inp: number) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], role: 'linear-weight' });
    specs.push({ name: `${name}.bias`, shape: [out], role: 'bias' });
  };
  const layerNorm = (name: string) => {
    specs.push({ name: `${name}.weight`, shape: [H], role: 'layernorm-weight' });
    specs.push({ name: `${name}.bias`, shape: [H], role: 'bias' });
  };
  specs.push({ name: 'bert.embeddings.word_embeddings.weight', shape: [c.vocabSize, H], role: 'embedding' });
  specs.push({ name: 'bert.embeddings.position_embeddings.weight', shape: [c.maxPositionEmbeddings, H], role: 'embedding' });
  specs.push({ name: 'bert.embeddings.token_type_embeddings.weight', shape: [c.typeVocabSize, H], role: 'embedding' });
  layerNorm('bert.embeddings.LayerNorm');
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const l = layerPrefix(i);
    linear(`${l}attention.self.query`, H, H);
    linear(`${l}attention.self.key`, H, H);
    linear(`${l}attention.self.value`, H, H);
    linear(`${l}attention.output.dense`, H, H);
    layerNorm(`${l}attention.output.LayerNorm`);
    linear(`${l}intermediate.dense`, F, H);
    linear(`${l}output.dense`, H, F);
    layerNorm(`${l}output.LayerNorm`);
  }
  linear('bert.pooler.dense', H, H);
  linear('classifier', c.numLabels, H);
  return specs;
}

/**
 * Hugging Face Trainer's weight-decay rule: no decay for biases and LayerNorm weights
 * (the reference fixture states it as "names ending in .bias or containing LayerNorm").
 */
export function usesWeightDecay(name: string): boolean {
  return !(name.endsWith('.bias') || name.includes('LayerNorm'));
}
