/**
 * A seeded, stratified random draw of rows: each stratum (a combination of the values of the
 * `stratify_by` columns) keeps its share of the rows, by the largest remainder method, and the
 * rows drawn keep their order. Unlike `limit_per_file` (the first N rows), it represents the
 * whole file: the head of a file is often one source, one period, one subject.
 */
import { StageUserError } from '../sdk/index.js';
import { createRng } from '../util/rng.js';
import { allocate } from './allocate.js';
import type { SampleParams } from './params.js';

/** Indices (ascending) of the rows drawn from `count` rows whose stratum keys are `keyOf(i)`. */
export function drawSample(count: number, keyOf: (index: number) => string, sample: SampleParams, where: string): number[] {
  const wanted = sample.n ?? Math.round((sample.fraction ?? 1) * count);
  if (wanted > count) throw new StageUserError(`${where}: sample.n is ${wanted} but only ${count} rows were read`);
  const strata = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const key = keyOf(i);
    const members = strata.get(key);
    if (members) members.push(i);
    else strata.set(key, [i]);
  }
  const groups = [...strata.values()];
  const sizes = allocate(wanted, groups.map((members) => members.length / count));
  const rng = createRng(sample.seed);
  const drawn: number[] = [];
  groups.forEach((members, g) => {
    const take = Math.min(sizes[g]!, members.length);
    // A partial Fisher–Yates shuffle: the first `take` places are a uniform draw without replacement.
    for (let i = 0; i < take; i++) {
      const j = i + rng.int(members.length - i);
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    drawn.push(...members.slice(0, take));
  });
  return drawn.sort((a, b) => a - b);
}
