import { defineStage, StageUserError } from '../../src/sdk/index.js';
import { passThroughInfo, readTable, writeTable, type Row } from '../../src/artifacts/table.js';
import { tableInput } from '../../src/artifacts/table-input.js';
import { allocate } from '../../src/loading/allocate.js';

const SPLITS = ['train', 'validation', 'test'] as const;
type SplitName = (typeof SPLITS)[number];

export interface SplitParams {
  ratios: Record<SplitName, number>;
  stratify_by: string | null;
  dedupe: boolean;
  dedupe_field: string;
  seed?: number;
}

const ratio = { type: 'number', minimum: 0, maximum: 1 };

/** The stratum key of a row: JSON text, so 1 and "1" stay different and null is a key like any other. */
function stratumKey(row: Row, field: string): string {
  return JSON.stringify(row[field] ?? null);
}

export default defineStage<SplitParams>({
  name: 'split',
  version: '1',
  description: 'Stratified, seeded train/validation/test split, after optional exact-duplicate removal.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ratios: {
        type: 'object',
        additionalProperties: false,
        required: ['train', 'validation', 'test'],
        properties: { train: ratio, validation: ratio, test: ratio },
        default: { train: 0.7, validation: 0.15, test: 0.15 },
        description: 'Fractions of the rows (of each stratum) per split; they must sum to 1. The notebook used 70/15/15.',
      },
      stratify_by: {
        type: ['string', 'null'],
        default: 'label',
        description: 'Column whose values keep their proportions in every split; null for a plain random split.',
      },
      dedupe: {
        type: 'boolean',
        default: true,
        description: 'Drop rows whose dedupe_field repeats an earlier row (before splitting, so one article cannot be in both train and test).',
      },
      dedupe_field: { type: 'string', minLength: 1, default: 'text' },
      seed: { type: 'integer', description: 'Shuffling seed; defaults to the spec\'s seed.' },
    },
  },
  inputs: { table: { kind: 'table' } },
  outputs: {
    train: { kind: 'table' },
    validation: { kind: 'table' },
    test: { kind: 'table' },
  },
  deterministic: true,
  async run(ctx, inputs, params) {
    const input = tableInput(inputs, 'table', 'split');
    const sum = SPLITS.reduce((total, name) => total + params.ratios[name], 0);
    if (Math.abs(sum - 1) > 1e-9) {
      throw new StageUserError(`split: ratios must sum to 1, got ${SPLITS.map((s) => `${s} ${params.ratios[s]}`).join(' + ')} = ${sum}`);
    }
    const { info, rows } = await readTable(input.path);
    for (const field of [params.stratify_by, params.dedupe ? params.dedupe_field : null]) {
      if (field !== null && !info.columns.includes(field)) {
        throw new StageUserError(`split: the input table has no column "${field}" (columns: ${info.columns.join(', ')})`);
      }
    }

    // Exact duplicates: keep the first occurrence, in table order.
    let kept = rows;
    let duplicates = 0;
    let conflicting = 0;
    const duplicateExamples: string[] = [];
    if (params.dedupe) {
      const firstByValue = new Map<string, Row>();
      kept = [];
      for (const row of rows) {
        const value = row[params.dedupe_field];
        const key = typeof value === 'string' ? value : JSON.stringify(value ?? null);
        const first = firstByValue.get(key);
        if (first === undefined) {
          firstByValue.set(key, row);
          kept.push(row);
          continue;
        }
        duplicates++;
        if (duplicateExamples.length < 5) duplicateExamples.push(`${String(row.id)} repeats ${String(first.id)}`);
        if (params.stratify_by !== null && stratumKey(row, params.stratify_by) !== stratumKey(first, params.stratify_by)) conflicting++;
      }
      if (duplicates > 0) ctx.log.info(`removed ${duplicates} exact duplicates of "${params.dedupe_field}"`);
      if (conflicting > 0) ctx.log.warn(`${conflicting} removed duplicates had a different ${params.stratify_by} than the row kept`);
    }

    // Group row indices by stratum, in order of first appearance, then shuffle each with the seeded RNG.
    const strata = new Map<string, number[]>();
    kept.forEach((row, index) => {
      const key = params.stratify_by === null ? 'all' : stratumKey(row, params.stratify_by);
      const members = strata.get(key);
      if (members) members.push(index);
      else strata.set(key, [index]);
    });
    const assignment = new Array<SplitName>(kept.length);
    const ratios = SPLITS.map((name) => params.ratios[name]);
    for (const members of strata.values()) {
      ctx.rng.shuffle(members);
      const sizes = allocate(members.length, ratios);
      let offset = 0;
      SPLITS.forEach((name, s) => {
        for (const index of members.slice(offset, offset + sizes[s]!)) assignment[index] = name;
        offset += sizes[s]!;
      });
    }

    // Each split keeps the table's order, so outputs read naturally and diff cleanly.
    const sizes: Record<string, number> = {};
    const labelCounts: Record<string, Record<string, number>> = {};
    for (const name of SPLITS) {
      const part = kept.filter((_, index) => assignment[index] === name);
      const counts: Record<string, number> = {};
      if (params.stratify_by !== null) {
        for (const row of part) {
          const key = String(row[params.stratify_by] ?? null);
          counts[key] = (counts[key] ?? 0) + 1;
        }
      }
      await writeTable(ctx.outputDir(name), part, passThroughInfo(info));
      sizes[name] = part.length;
      labelCounts[name] = counts;
    }
    return {
      metrics: {
        rows_in: rows.length,
        duplicates_removed: duplicates,
        duplicate_label_conflicts: conflicting,
        duplicate_examples: duplicateExamples,
        sizes,
        label_counts: labelCounts,
      },
      summary: `train ${sizes.train}, validation ${sizes.validation}, test ${sizes.test}${duplicates > 0 ? ` (${duplicates} duplicates removed)` : ''}`,
    };
  },
});
