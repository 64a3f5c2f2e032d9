import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initModel } from '../../src/nn/bert/init.js';
import { loadTokenizer } from '../../src/text/tokenizer.js';
import { writeFndModelInfo, type FndModelInfo } from '../../src/predict/fnd-json.js';
import { REPO } from '../stages-data/run-stage.js';

export const VOCAB = join(REPO, 'test/fixtures/vocab/vocab.txt');

/** A 1-layer, hidden-16 BERT over the real 30522-token vocabulary: tiny but the real code path. */
export const TINY_CONFIG = {
  vocabSize: 30522,
  hiddenSize: 16,
  numHiddenLayers: 1,
  numAttentionHeads: 2,
  intermediateSize: 32,
  maxPositionEmbeddings: 64,
  numLabels: 2,
  id2label: { '0': 'fake', '1': 'real' },
};

/** Writes config.json + model.safetensors of a fresh tiny model (what init-bert outputs). */
export async function tinyModelDir(seed = 1): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-tiny-model-'));
  const model = initModel(TINY_CONFIG, { seed });
  try {
    await model.save(dir);
  } finally {
    model.dispose();
  }
  return dir;
}

export const NOTEBOOK_PREPARATION: FndModelInfo['preparation'] = [
  { stage: 'clean-text', field: 'text', rules: ['reuters_dateline', 'reuters_mention', 'twitter', 'featured_image', 'urls'] },
  { stage: 'concat-title-text', title_field: 'title', text_field: 'text', output_field: 'text', separator: ' ' },
];

/** A complete saved folder (what the save stage writes), built directly. */
export async function savedModelDir(seed = 1): Promise<string> {
  const dir = await tinyModelDir(seed);
  await (await loadTokenizer(VOCAB)).saveTo(dir);
  await writeFndModelInfo(dir, {
    preparation: NOTEBOOK_PREPARATION,
    tokenizer: { source: 'test/fixtures/vocab/vocab.txt', max_length: 32, truncation: true, text_field: 'text' },
    labels: { '0': 'fake', '1': 'real' },
  });
  return dir;
}
