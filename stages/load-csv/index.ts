/**
 * load-csv: the notebook's loader, kept for existing specs. It is load-table with `files` only
 * (one `table` output): every reading option of load-table (delimiter, header/column_names,
 * quoting, encoding, JSON Lines, label_map, classes, sample) works here too.
 */
import { defineStage } from '../../src/sdk/index.js';
import { loaderFingerprint, loaderSchema, runLoader, type LoadTableParams } from '../../src/loading/load.js';

export type LoadCsvParams = Omit<LoadTableParams, 'splits'>;

export default defineStage<LoadCsvParams>({
  name: 'load-csv',
  version: '2',
  description:
    'Read CSV/TSV/delimited files or JSON Lines (plain or .gz) into one table; labels per file or from a column (with label_map); ids are file:line. load-table also reads pre-split files into train/validation/test.',
  params: loaderSchema(false),
  inputs: {},
  outputs: { table: { kind: 'table', description: 'One row per record: id, the selected columns, label.' } },
  deterministic: true,
  fingerprint: loaderFingerprint,
  run: (ctx, _inputs, params) => runLoader(ctx, params, 'load-csv'),
});
