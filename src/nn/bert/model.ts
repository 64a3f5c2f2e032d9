/**
 * BertForSequenceClassification (Hugging Face's math, post-LayerNorm encoder, tanh pooler on
 * [CLS], linear classifier) over tf.Variables named by their Hugging Face state-dict names.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../util/rng.js';
import type { Rng } from '../../sdk/index.js';
import type { BertConfig } from './config.js';
import { paramSpecs, layerPrefix, type ParamSpec } from './params.js';
import { linear, dense, layerNorm, dropout, attention, type DenseOptions } from './layers.js';
import { saveModel, type SaveOptions } from '../checkpoint/save.js';
import { prepareInputs, disposeInputs, type BertInputs, type PreparedInputs } from './inputs.js';
import { backendRunning, requireRunningBackend } from '../backend/auto.js';

export interface ForwardOptions {
  /** Dropout on (hidden and attention probabilities) when true. Default false. */
  training?: boolean;
}

// A type alias (not an interface) so it is a tf.TensorContainer that tf.tidy can return.
export type BertOutput = {
  logits: tf.Tensor2D;
  pooledOutput: tf.Tensor2D;
  lastHiddenState: tf.Tensor3D;
};

/** What loading a checkpoint matched, as Hugging Face reports it. */
export interface LoadReport {
  /** Model parameters the checkpoint lacked, initialised fresh (e.g. classifier.*). */
  newlyInitialized: string[];
  /** Checkpoint tensors the model does not use, by their names in the checkpoint. */
  unused: string[];
  /** Checkpoint buffers that are known and deliberately skipped (e.g. embeddings.position_ids). */
  ignored: string[];
}

export type { SaveOptions } from '../checkpoint/save.js';

export class BertForSequenceClassification {
  readonly config: BertConfig;
  readonly specs: ParamSpec[];
  /** Set by loadModel; undefined for a model from initModel. */
  loadReport?: LoadReport;
  /** Source of dropout seeds in training mode; reseed with setDropoutSeed for reproducible runs. */
  private dropoutRng: Rng;
  /** Dropout seeds drawn since the last setDropoutSeed (a checkpoint taken mid-epoch records it). */
  private dropoutDrawCount = 0;
  /**
   * The initial values until the first use of `params`. Variables are made then, not here, so a
   * model can be built before any tensor backend runs (initModel is synchronous, starting a
   * backend is not); the async entry points start one first.
   */
  private pending?: Map<string, Float32Array>;
  private variables?: Map<string, tf.Variable>;
  private disposed = false;

  /** `weights` must hold every parameter of `paramSpecs(config)`; use initModel / loadModel rather than this. */
  constructor(config: BertConfig, weights: Map<string, Float32Array>, options: { dropoutSeed?: number } = {}) {
    this.config = config;
    this.specs = paramSpecs(config);
    for (const spec of this.specs) {
      if (!weights.has(spec.name)) throw new Error(`internal: no initial value for ${spec.name}`);
    }
    this.pending = weights;
    if (backendRunning()) this.materialize();
    this.dropoutRng = createRng(options.dropoutSeed ?? 0);
  }

  /** Trainable parameters by Hugging Face name, in state-dict order. */
  get params(): Map<string, tf.Variable> {
    this.assertAlive();
    return this.variables ?? this.materialize();
  }

  private materialize(): Map<string, tf.Variable> {
    requireRunningBackend('a BERT model\'s first use');
    const variables = new Map<string, tf.Variable>();
    for (const spec of this.specs) {
      // No tf variable name: names are global in the tf engine and two models would collide.
      const initial = tf.tensor(this.pending!.get(spec.name)!, spec.shape, 'float32');
      variables.set(spec.name, tf.variable(initial, true));
      initial.dispose(); // the variable holds its own reference to the data
    }
    this.variables = variables;
    this.pending = undefined;
    return variables;
  }

  setDropoutSeed(seed: number): void {
    this.dropoutRng = createRng(seed);
    this.dropoutDrawCount = 0;
  }

  /** Dropout seeds drawn since the last setDropoutSeed. */
  get dropoutDraws(): number {
    return this.dropoutDrawCount;
  }

  /** Advances the dropout stream by `draws` seeds: with setDropoutSeed, puts it where a checkpoint left it. */
  skipDropoutDraws(draws: number): void {
    for (let i = 0; i < draws; i++) this.drawDropoutSeed();
  }

  private drawDropoutSeed(): number {
    this.dropoutDrawCount++;
    return this.dropoutRng.int(2 ** 31);
  }

  param(name: string): tf.Variable {
    const p = this.params.get(name);
    if (!p) throw new Error(`internal: no parameter ${name}`);
    return p;
  }

  /** Full forward pass. The caller owns (and must dispose) the returned tensors. */
  forward(inputs: BertInputs, options: ForwardOptions = {}): BertOutput {
    this.assertAlive();
    if (!this.variables) this.materialize();
    const prepared = prepareInputs(inputs, this.config);
    try {
      return tf.tidy(() => this.forwardPrepared(prepared, options.training ?? false));
    } finally {
      disposeInputs(prepared);
    }
  }

  /** Logits only, for training losses (the same graph as forward). Call inside tf.tidy / variableGrads. */
  forwardPrepared(p: PreparedInputs, training: boolean): BertOutput {
    const c = this.config;
    const H = c.hiddenSize;
    const A = c.numAttentionHeads;
    const dh = H / A;
    const { batch: B, seqLen: S } = p;
    const N = B * S;
    const seed = (rate: number) => (training && rate > 0 ? this.drawDropoutSeed() : undefined);
    const hidDrop = c.hiddenDropoutProb;
    const attDrop = c.attentionProbsDropoutProb;
    const w = (name: string) => this.param(name);

    const words = tf.gather(w('bert.embeddings.word_embeddings.weight'), p.inputIds);
    const positions = tf.slice(w('bert.embeddings.position_embeddings.weight'), [0, 0], [S, H]);
    const types = tf.gather(w('bert.embeddings.token_type_embeddings.weight'), p.tokenTypeIds);
    let x = tf.reshape(tf.add(tf.add(words, positions), types), [N, H]) as tf.Tensor2D;
    x = layerNorm(x, w('bert.embeddings.LayerNorm.weight'), w('bert.embeddings.LayerNorm.bias'), c.layerNormEps);
    x = dropout(x, hidDrop, seed(hidDrop));

    const scale = 1 / Math.sqrt(dh);
    const heads = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [B, S, A, dh]), [0, 2, 1, 3]);
    for (let i = 0; i < c.numHiddenLayers; i++) {
      const l = layerPrefix(i);
      // Each Linear with what follows it (scale, GELU, dropout, the residual) as one dense op: one
      // GEMM and its epilogue where the native kernels run.
      const lin = (t: tf.Tensor2D, name: string, o?: DenseOptions) => dense(t, w(`${l}${name}.weight`), w(`${l}${name}.bias`), o);
      // Scaling q (S*dh values) rather than the scores (S*S values) is the same math, less work.
      const q = heads(lin(x, 'attention.self.query', { scale }));
      const k = heads(lin(x, 'attention.self.key'));
      const v = heads(lin(x, 'attention.self.value'));
      const ctx = tf.reshape(tf.transpose(attention(q, k, v, p.additiveMask, attDrop, seed(attDrop)), [0, 2, 1, 3]), [N, H]) as tf.Tensor2D;
      const attn = lin(ctx, 'attention.output.dense', { rate: hidDrop, seed: seed(hidDrop), residual: x });
      x = layerNorm(attn, w(`${l}attention.output.LayerNorm.weight`), w(`${l}attention.output.LayerNorm.bias`), c.layerNormEps);
      const gelu = c.hiddenAct === 'gelu';
      const inner = lin(x, 'intermediate.dense', { gelu });
      const act = gelu ? inner : tf.relu(inner);
      const ffn = lin(act, 'output.dense', { rate: hidDrop, seed: seed(hidDrop), residual: x });
      x = layerNorm(ffn, w(`${l}output.LayerNorm.weight`), w(`${l}output.LayerNorm.bias`), c.layerNormEps);
    }
    const lastHiddenState = tf.reshape(x, [B, S, H]) as tf.Tensor3D;
    const cls = tf.reshape(tf.slice(lastHiddenState, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
    const pooledOutput = tf.tanh(linear(cls, w('bert.pooler.dense.weight'), w('bert.pooler.dense.bias')));
    const logits = linear(dropout(pooledOutput, hidDrop, seed(hidDrop)), w('classifier.weight'), w('classifier.bias'));
    return { logits, pooledOutput, lastHiddenState };
  }

  /** Copies of every parameter's values, by Hugging Face name. */
  stateDict(): Map<string, Float32Array> {
    this.assertAlive();
    const out = new Map<string, Float32Array>();
    if (this.pending) {
      for (const spec of this.specs) out.set(spec.name, this.pending.get(spec.name)!.slice());
      return out;
    }
    // slice: on the cpu backend dataSync hands out the backend's own buffer.
    for (const [name, v] of this.params) out.set(name, (v.dataSync() as Float32Array).slice());
    return out;
  }

  /** Writes config.json and model.safetensors (what save_pretrained writes), then options.extraFiles. */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    this.assertAlive();
    await saveModel(this, dir, options);
  }

  numParameters(): number {
    let n = 0;
    for (const s of this.specs) n += s.shape.reduce((a, b) => a * b, 1);
    return n;
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.variables?.values() ?? []) v.dispose();
    this.variables = undefined;
    this.pending = undefined;
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('this model has been disposed');
  }
}
