/**
 * Which examples go into which micro-batch and update in an epoch. Shuffled from (seed, epoch)
 * alone, so epoch k's order does not depend on what ran before it: a resumed run sees the same
 * batches as an uninterrupted one.
 */
import { createRng } from '../util/rng.js';

/** A 32-bit seed for epoch `epoch` (0-based) of a run seeded with `seed`; `stream` separates uses. */
export function epochSeed(seed: number, epoch: number, stream = 0): number {
  let h = (Math.floor(seed) ^ 0x85ebca6b) >>> 0;
  for (const v of [epoch, stream]) {
    h = Math.imul(h ^ v, 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

export interface OrderOptions {
  seed: number;
  /** 0-based epoch. */
  epoch: number;
  batchSize: number;
  accumulation: number;
  /** Row lengths, for group_by_length. */
  lengths?: ArrayLike<number>;
  groupByLength?: boolean;
}

/** Micro-batches of one epoch (row indices), grouped into optimizer updates of `accumulation` micro-batches. */
export function epochUpdates(count: number, options: OrderOptions): number[][][] {
  const order = Array.from({ length: count }, (_, i) => i);
  createRng(epochSeed(options.seed, options.epoch)).shuffle(order);
  const micro = options.groupByLength && options.lengths
    ? lengthGroupedBatches(order, options.lengths, options.batchSize)
    : chunk(order, options.batchSize);
  return chunk(micro, options.accumulation);
}

/**
 * transformers' LengthGroupedSampler: the shuffled order is cut into mega-batches of 50
 * batches, each sorted by length (longest first) and cut into batches, so a batch holds rows of
 * similar length and pads little; the batch with the longest row goes first so an
 * out-of-memory shows at once.
 */
export function lengthGroupedBatches(order: readonly number[], lengths: ArrayLike<number>, batchSize: number): number[][] {
  const mega = chunk([...order], batchSize * 50).map((group) => group.sort((a, b) => lengths[b]! - lengths[a]! || a - b));
  const batches = mega.flatMap((group) => chunk(group, batchSize));
  let longest = 0;
  for (let i = 1; i < batches.length; i++) if (lengths[batches[i]![0]!]! > lengths[batches[longest]![0]!]!) longest = i;
  if (longest > 0) [batches[0], batches[longest]] = [batches[longest]!, batches[0]!];
  return batches;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
