/**
 * The load-table stage: delimited text or JSON Lines into a table (see src/loading for how).
 */
import { defineStage, type StageDefinition } from '../../src/sdk/index.js';
import { loaderFingerprint, loaderSchema, runLoader, type LoadTableParams } from '../../src/loading/load.js';
import { SPLIT_NAMES } from '../../src/loading/params.js';

const definition: StageDefinition<LoadTableParams> = defineStage<LoadTableParams>({
  name: 'load-table',
  version: '1',
  description:
    'Read delimited text (CSV/TSV/...; header or column_names; quoting on or off; utf-8/latin1/windows-1252; .gz) or JSON Lines into tables; labels from a column (with label_map) or per file, class names recorded; pre-split files into train/validation/test outputs; seeded stratified sampling.',
  params: loaderSchema(true),
  inputs: {},
  outputs: {
    table: { kind: 'table', optional: true, description: 'The rows of `files`: id, the selected columns, label.' },
    ...Object.fromEntries(SPLIT_NAMES.map((name) => [name, { kind: 'table' as const, optional: true, description: `The rows of splits.${name}.` }])),
  },
  deterministic: true,
  fingerprint: loaderFingerprint,
  run: (ctx, _inputs, params) => runLoader(ctx, params, 'load-table'),
});

export default definition;
