/**
 * The one gradient registry fnd uses: hand-written gradients for every kernel BERT differentiates
 * through. tfjs-core's Node bundle ships no gradient definitions (the @tensorflow/tfjs umbrella
 * registers them; fnd depends on tfjs-core alone). These replace an earlier loader of tfjs-core's
 * own ESM gradient files: the definitions here are faster on wasm (bias and broadcast gradients
 * as one matmul instead of the wasm Sum kernel, which showed 270 ms per TinyBERT step in the
 * profile) and each is checked against finite differences (test/nn/gradients.test.ts) and by
 * the PyTorch fixture training steps.
 */
import * as tf from '@tensorflow/tfjs-core';

type Grads = Record<string, () => tf.Tensor>;
type Attrs = Record<string, unknown>;

/**
 * Column sums of a matrix as ones[1, rows] x m: a single matmul is an order of magnitude faster
 * than Sum over axis 0 on the wasm backend (13.7 ms vs 0.4 ms for [1024, 1200], measured), and
 * bias gradients are exactly this reduction.
 */
export function sumRows(m: tf.Tensor, rows: number, cols: number): tf.Tensor {
  return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(m, [rows, cols])), [cols]);
}

/** Sums `dy` over the axes along which `shape` was broadcast, back to `shape`. */
function reduceTo(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  if (axes.length === 0) return tf.reshape(dy, shape);
  // Broadcast over leading axes only (a bias [H] added to [N, H] or [B, S, H]): one matmul.
  const lead = dy.rank - shape.length;
  if (axes.length === lead && axes.every((a, i) => a === i) && shape.every((d, i) => d === dy.shape[lead + i])) {
    const cols = shape.reduce((a, b) => a * b, 1);
    return tf.reshape(sumRows(dy, dy.size / cols, cols), shape);
  }
  return tf.reshape(tf.sum(dy, axes), shape);
}

function float(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

/** dy of a reduction (keepDims or not) broadcast back over the reduced axes of x. */
function unreduce(dy: tf.Tensor, xShape: number[], axisAttr: unknown): tf.Tensor {
  const axes = tf.util.parseAxisParam(axisAttr as number | number[], xShape);
  // Same element order with or without keepDims: reshape to the kept-dims shape, then broadcast.
  const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.broadcastTo(tf.reshape(dy, kept), xShape);
}

function matMulGrads(dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor, attrs: Attrs): Grads {
  const tA = Boolean(attrs.transposeA);
  const tB = Boolean(attrs.transposeB);
  const back = (g: tf.Tensor, like: tf.Tensor) => {
    if (g.rank === like.rank && g.shape.every((d, i) => d === like.shape[i])) return g;
    // Batch dims were broadcast: sum over them.
    const lead = g.rank - 2;
    const target = like.rank - 2;
    const padded = [...new Array(lead - target).fill(1), ...like.shape.slice(0, target), ...like.shape.slice(target)];
    return tf.reshape(reduceTo(g, padded as number[]), like.shape);
  };
  let da: () => tf.Tensor;
  let db: () => tf.Tensor;
  if (!tA && !tB) {
    da = () => tf.matMul(dy, b, false, true);
    db = () => tf.matMul(a, dy, true, false);
  } else if (!tA && tB) {
    da = () => tf.matMul(dy, b, false, false);
    db = () => tf.matMul(dy, a, true, false);
  } else if (tA && !tB) {
    da = () => tf.matMul(b, dy, false, true);
    db = () => tf.matMul(a, dy, false, false);
  } else {
    da = () => tf.matMul(b, dy, true, true);
    db = () => tf.matMul(dy, a, true, true);
  }
  return { a: () => back(da(), a), b: () => back(db(), b) };
}

export const BERT_GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => reduceTo(dy as tf.Tensor, a!.shape), b: () => reduceTo(dy as tf.Tensor, b!.shape) }),
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => reduceTo(dy as tf.Tensor, a!.shape), b: () => tf.neg(reduceTo(dy as tf.Tensor, b!.shape)) }),
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => reduceTo(tf.mul(dy as tf.Tensor, float(b!)), a!.shape),
      b: () => reduceTo(tf.mul(dy as tf.Tensor, float(a!)), b!.shape),
    }),
  },
  {
    kernelName: 'RealDiv',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => reduceTo(tf.div(dy as tf.Tensor, b!), a!.shape),
      b: () => reduceTo(tf.neg(tf.div(tf.mul(dy as tf.Tensor, a!), tf.square(b!))), b!.shape),
    }),
  },
  {
    kernelName: 'SquaredDifference',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => {
      const twoDiff = () => tf.mul(dy as tf.Tensor, tf.mul(tf.sub(a!, b!), 2));
      return { a: () => reduceTo(twoDiff(), a!.shape), b: () => tf.neg(reduceTo(twoDiff(), b!.shape)) };
    },
  },
  {
    kernelName: 'Square',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(float(x!), 2)) }),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy as tf.Tensor) }) },
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => float(dy as tf.Tensor) }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(dy as tf.Tensor) }) },
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x!.shape) }),
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved, attrs) => {
      const perm = (attrs as Attrs).perm as number[];
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return { x: () => tf.transpose(dy as tf.Tensor, inverse) };
    },
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { begin, size } = attrs as { begin: number | number[]; size: number | number[] };
      const [starts, sizes] = tf.slice_util.parseSliceParams(x!, begin, size) as [number[], number[]];
      const paddings = x!.shape.map((d, i) => [starts[i]!, d - starts[i]! - sizes[i]!] as [number, number]);
      return { x: () => tf.pad(dy as tf.Tensor, paddings) };
    },
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => unreduce(dy as tf.Tensor, x!.shape, (attrs as Attrs).axis) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam((attrs as Attrs).axis as number | number[], x!.shape);
      const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
      return { x: () => tf.div(unreduce(dy as tf.Tensor, x!.shape, axes), count) };
    },
  },
  {
    kernelName: 'Rsqrt',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(tf.pow(tf.rsqrt(x!), 3), -0.5)) }),
  },
  {
    kernelName: 'Erf',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(tf.exp(tf.neg(tf.square(x!))), 2 / Math.sqrt(Math.PI))) }),
  },
  {
    kernelName: 'Tanh',
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(y!))) }),
  },
  {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.cast(tf.greater(x!, 0), 'float32')) }),
  },
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dim = (attrs as Attrs).dim as number;
      return { logits: () => tf.mul(tf.sub(dy as tf.Tensor, tf.sum(tf.mul(dy as tf.Tensor, y!), dim, true)), y!) };
    },
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => matMulGrads(dy as tf.Tensor, a!, b!, attrs as Attrs),
  },
  {
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, [x, indices], attrs) => {
      const { axis, batchDims } = attrs as { axis: number; batchDims?: number };
      const ax = tf.util.parseAxisParam(axis, x!.shape)[0];
      if (ax !== 0 || (batchDims ?? 0) !== 0) throw new Error('internal: fnd differentiates gather only along axis 0');
      // Scatter-add the rows back (repeated ids accumulate), as an embedding's gradient.
      return {
        x: () => {
          const ids = tf.reshape(indices!, [-1]);
          const updates = tf.reshape(dy as tf.Tensor, [-1, ...x!.shape.slice(1)]);
          return tf.unsortedSegmentSum(updates, ids as tf.Tensor1D, x!.shape[0]!);
        },
      };
    },
  },
];

/**
 * Makes these gradients the registered ones, whatever was registered before (e.g. tfjs's own,
 * brought in by @tensorflow/tfjs-node's umbrella package): which definitions run never depends
 * on import or call order. Idempotent and cheap; every entry point (initBackend, computeGradients,
 * the Trainer) calls it. Kernels not listed keep whatever gradient they have.
 */
export function ensureGradients(): void {
  for (const config of BERT_GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
