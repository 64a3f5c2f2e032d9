/**
 * TinyBERT-shaped training and inference speed on this machine, beside PyTorch's on the same
 * math (../shared/bench/torch_tinybert_bench.py) measured in the same invocation.
 *
 *   node --import tsx bench/bert-speed.ts [--seq 128,512] [--batch 8] [--steps N] [--micro M] [--no-torch]
 *
 * The whole batch runs as one forward/backward by default (batch 8 at seq 512 fits the 4 GiB wasm
 * heap since the fused attention kernel keeps only the probabilities); --micro M splits it into
 * micro-batches with gradients accumulated, the same update (see trainStep).
 *
 * Training = forward + backward + global-norm clipping + AdamW (dropout on), random weights.
 * FND_BACKEND picks the backend as everywhere else.
 *
 * The limit: the machine's large-GEMM rate (fnd's GEMM on a 2048^3 product, every thread) is
 * measured in the same run, and each step's matrix-product FLOPs (counted from the model's shapes:
 * forward 2N(4H^2 + 2HF + 2SH) per layer, training 3x forward) divided by its time is printed as a
 * fraction of it. The PyTorch peer is found as shared/bench/torch_tinybert_bench.py in a folder
 * above this checkout (or FND_TORCH_BENCH).
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { initBackend, loadNativeKernels } from '../src/nn/backend/index.js';
import { LARGE_GEMM, flopsOf, fndRunner, gflops } from './gemm-rate.js';
import { initModel } from '../src/nn/bert/init.js';
import { createAdamW } from '../src/nn/train/adamw.js';
import { trainStep, type TrainBatch } from '../src/nn/train/step.js';
import { createRng } from '../src/util/rng.js';

const TINYBERT = {
  vocabSize: 30522, hiddenSize: 312, numHiddenLayers: 4, numAttentionHeads: 12, intermediateSize: 1200,
  maxPositionEmbeddings: 512, typeVocabSize: 2, layerNormEps: 1e-12, numLabels: 2,
};
const PYTHON = '/usr/bin/python3';
const TORCH_BENCH = process.env.FND_TORCH_BENCH ?? findUp(dirname(fileURLToPath(import.meta.url)), join('shared', 'bench', 'torch_tinybert_bench.py'));

/** `relative` in `dir` or the nearest folder above it that has it (the checkout may sit at any depth under the shared folder). */
function findUp(dir: string, relative: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, relative))) return join(d, relative);
    if (dirname(d) === d) return join(dir, '..', '..', relative);
  }
}

/** Matrix-product FLOPs of one forward pass (linears and the two attention products; embeddings, pooler and head are < 0.1%). */
function forwardFlops(batch: number, seq: number): number {
  const { hiddenSize: H, intermediateSize: F, numHiddenLayers: L } = TINYBERT;
  const N = batch * seq;
  return L * 2 * N * (4 * H * H + 2 * H * F + 2 * seq * H);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Peer { train: number; infer: number; peer: string; runs?: Peer[] }

function torchFigures(batch: number, seq: number, steps: number): Promise<Peer | string> {
  if (!existsSync(PYTHON) || !existsSync(TORCH_BENCH)) return Promise.resolve(`missing ${PYTHON} or ${TORCH_BENCH}`);
  return new Promise((resolve) => {
    execFile(PYTHON, [TORCH_BENCH, '--batch', String(batch), '--seq', String(seq), '--steps', String(steps)], { timeout: 900_000 }, (error, stdout, stderr) => {
      if (error) {
        resolve(/No module named 'torch'/.test(stderr) ? 'python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)' : `torch bench failed: ${stderr.trim().split('\n').pop()}`);
        return;
      }
      const r = JSON.parse(stdout.trim().split('\n').pop()!) as { train_examples_per_s: number; infer_examples_per_s: number; peer: string };
      resolve({ train: r.train_examples_per_s, infer: r.infer_examples_per_s, peer: r.peer });
    });
  });
}

function makeBatch(batch: number, seq: number, seed: number): TrainBatch {
  const rng = createRng(seed);
  const ids = Array.from({ length: batch }, () => Array.from({ length: seq }, () => 1000 + rng.int(TINYBERT.vocabSize - 1000)));
  return {
    inputIds: ids,
    attentionMask: ids.map((row) => row.map(() => 1)),
    tokenTypeIds: ids.map((row) => row.map(() => 0)),
    labels: ids.map(() => rng.int(2)),
  };
}

const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

function split(data: TrainBatch, micro: number): TrainBatch[] {
  const ids = data.inputIds as number[][];
  const parts: TrainBatch[] = [];
  for (let i = 0; i < ids.length; i += micro) {
    parts.push({
      inputIds: ids.slice(i, i + micro),
      attentionMask: (data.attentionMask as number[][]).slice(i, i + micro),
      tokenTypeIds: (data.tokenTypeIds as number[][]).slice(i, i + micro),
      labels: (data.labels as number[]).slice(i, i + micro),
    });
  }
  return parts;
}

async function measure(batch: number, seq: number, steps: number, micro: number) {
  const model = initModel(TINYBERT, { seed: 0 });
  const optimizer = createAdamW(model.params, { lr: 5e-5, weightDecay: 0.01 });
  const data = makeBatch(batch, seq, seq);
  const trainData = micro < batch ? split(data, micro) : data;
  const tensorsBefore = tf.memory().numTensors;
  trainStep(model, optimizer, trainData, { maxGradNorm: 1.0 }); // warm-up
  let t = performance.now();
  let cpu = process.cpuUsage();
  for (let i = 0; i < steps; i++) trainStep(model, optimizer, trainData, { maxGradNorm: 1.0 });
  const trainS = (performance.now() - t) / 1000 / steps;
  // CPU time of all our threads per step: unlike the wall time, it hardly moves with others' load.
  const cpuS = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6 / steps;
  const trainCpu = cpuS(process.cpuUsage(cpu));
  const trainRss = rssMiB();
  const infer = () => {
    const out = model.forward(data, { training: false });
    out.logits.dataSync();
    out.logits.dispose();
    out.pooledOutput.dispose();
    out.lastHiddenState.dispose();
  };
  infer();
  t = performance.now();
  cpu = process.cpuUsage();
  for (let i = 0; i < steps; i++) infer();
  const inferS = (performance.now() - t) / 1000 / steps;
  const inferCpu = cpuS(process.cpuUsage(cpu));
  const leaked = tf.memory().numTensors - tensorsBefore;
  model.dispose();
  return { train: batch / trainS, infer: batch / inferS, trainRss, leaked, trainS, trainCpu, inferS, inferCpu };
}

async function main(): Promise<void> {
  const batch = Number(arg('batch') ?? 8);
  const seqs = (arg('seq') ?? '128,512').split(',').map(Number);
  const noTorch = process.argv.includes('--no-torch');
  const info = await initBackend();
  console.log(`backend ${info.name} (tfjs ${info.tfjs}${info.threads ? `, ${info.threads} threads` : ''}); node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // Which kernels ran, so figures are read rightly.
  for (const note of info.notes.filter((n) => /native kernels/.test(n))) console.log(`  ${note.split(/; fused /)[0]}`);
  const native = loadNativeKernels();
  const largeGemm = () => (native.ok ? gflops(fndRunner(native.kernels, LARGE_GEMM), flopsOf(LARGE_GEMM), 3, 200) : undefined);
  let peak = largeGemm();
  if (peak !== undefined) console.log(`large-GEMM rate (fnd GEMM, ${LARGE_GEMM.m}^3, all threads): ${peak.toFixed(1)} GFLOP/s`);
  const results = [];
  for (const seq of seqs) {
    const steps = Number(arg('steps') ?? (seq >= 512 ? 3 : 5));
    // PyTorch runs before and after ours and its better figure of the two counts: on a shared
    // machine the load moves within a minute, and this way it can only make our ratio look worse.
    const before = noTorch ? 'skipped (--no-torch)' : await torchFigures(batch, seq, steps);
    const micro = Number(arg('micro') ?? batch);
    const ours = await measure(batch, seq, steps, micro);
    const after = noTorch ? before : await torchFigures(batch, seq, steps);
    const peer = typeof before === 'string' || typeof after === 'string' ? before
      : { train: Math.max(before.train, after.train), infer: Math.max(before.infer, after.infer), peer: before.peer,
        runs: [before, after] };
    // The rate again after the step, the higher taken: a burst of load elsewhere must not make the fraction look better.
    const again = largeGemm();
    if (again !== undefined && peak !== undefined) peak = Math.max(peak, again);
    const fwd = forwardFlops(batch, seq);
    const trainGflops = (3 * fwd * ours.train) / batch / 1e9;
    const inferGflops = (fwd * ours.infer) / batch / 1e9;
    const frac = (g: number) => (peak ? ` = ${((100 * g) / peak).toFixed(0)}% of the large-GEMM rate` : '');
    const ratio = (x: number, y: number | undefined) => (y ? `${(x / y).toFixed(2)}x` : 'n/a');
    const p = typeof peer === 'string' ? undefined : peer;
    console.log(`batch ${batch} seq ${seq} (${steps} timed steps${micro < batch ? `, training in micro-batches of ${micro}` : ''}):`);
    console.log(`  train  ${ours.train.toFixed(2)} ex/s   pytorch ${p ? p.train.toFixed(2) : '-'} ex/s   ratio ${ratio(ours.train, p?.train)}`);
    console.log(`  infer  ${ours.infer.toFixed(2)} ex/s   pytorch ${p ? p.infer.toFixed(2) : '-'} ex/s   ratio ${ratio(ours.infer, p?.infer)}`);
    console.log(`  train step ${trainGflops.toFixed(1)} GFLOP/s${frac(trainGflops)}; inference ${inferGflops.toFixed(1)} GFLOP/s${frac(inferGflops)} (large GEMM ${peak?.toFixed(1) ?? '-'} GFLOP/s)`);
    console.log(`  per step: train ${ours.trainS.toFixed(3)} s wall, ${ours.trainCpu.toFixed(3)} s CPU; inference ${ours.inferS.toFixed(3)} s wall, ${ours.inferCpu.toFixed(3)} s CPU (all threads)`);
    console.log(`  peak RSS after training so far: ${ours.trainRss} MiB; tensors leaked: ${ours.leaked}`);
    if (typeof peer === 'string') console.log(`  pytorch: ${peer}`);
    else console.log(`  peer: ${peer.peer}; its two runs (before, after ours): train ${peer.runs!.map((r) => r.train.toFixed(2)).join(', ')}, infer ${peer.runs!.map((r) => r.infer.toFixed(2)).join(', ')} ex/s`);
    results.push({ seq, batch, steps, micro, ours, pytorch: p ?? peer, trainGflops, inferGflops, largeGemmGflops: peak });
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(JSON.stringify({ backend: info.name, peakRssMiB: rssMiB(), results }));
}

await main();
