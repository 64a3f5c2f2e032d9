/** The params of load-table (and of load-csv, which is load-table without `splits`), and their schema. */
import type { Quoting } from '../text/csv-parser.js';
import type { TextEncoding } from '../text/decode.js';
import { TEXT_ENCODINGS } from '../text/decode.js';

export interface FileEntry {
  path: string;
  /** A constant label for every row of this file: a class name (`fake`), or an integer id (legacy, with `label_name`). */
  label?: number | string;
  label_name?: string;
}

/** A file as a spec may write it: a path, or an entry. */
export type FileParam = string | FileEntry;

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SampleParams {
  n?: number;
  fraction?: number;
  seed: number;
  stratify_by?: string[];
}

export interface LoadTableParams {
  files?: FileParam[];
  splits?: Partial<Record<SplitName, FileParam | FileParam[]>>;
  format: 'auto' | 'delimited' | 'jsonl';
  delimiter?: string;
  header: boolean;
  column_names?: string[];
  quoting: Quoting;
  encoding: TextEncoding;
  columns?: string[] | Record<string, string>;
  id_column?: string;
  label_column?: string;
  label_map?: Record<string, string | boolean | number>;
  classes?: Array<string | boolean | number>;
  label_names?: Record<string, string>;
  on_malformed: 'fail' | 'skip';
  limit_per_file?: number;
  sample?: SampleParams;
}

const fileEntry = {
  oneOf: [
    { type: 'string', minLength: 1, description: 'A path, relative to the spec.' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1, description: 'Relative to the spec.' },
        label: {
          type: ['string', 'integer'],
          description: 'Constant label for every row of this file: a class name (e.g. "fake"), or an integer class id (then label_name names it).',
        },
        label_name: { type: 'string', minLength: 1, description: 'Name of an integer `label`, e.g. "fake".' },
      },
    },
  ],
};

const fileList = { type: 'array', minItems: 1, items: fileEntry };

/** The params both loaders share; load-table adds `splits`. */
export function loaderSchema(withSplits: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    files: { ...fileList, description: 'Files read in order and concatenated into the `table` output (delimited text or JSON Lines, plain or .gz).' },
    format: {
      enum: ['auto', 'delimited', 'jsonl'],
      default: 'auto',
      description: 'auto: .jsonl/.ndjson (optionally .gz) are JSON Lines, anything else delimited text.',
    },
    delimiter: {
      type: 'string',
      minLength: 1,
      maxLength: 1,
      not: { enum: ['"', '\n', '\r'] },
      description: 'Field delimiter, e.g. "," ";" "|" or "\\t". Default: tab for .tsv files, else ",".',
    },
    header: { type: 'boolean', default: true, description: 'Whether the first record names the columns; false needs column_names.' },
    column_names: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      description: 'Names of the columns of files without a header row (header: false), in file order.',
    },
    quoting: {
      enum: ['rfc4180', 'none'],
      default: 'rfc4180',
      description: 'rfc4180: "..." quotes a field (with "" for a quote); none: quotes are ordinary text and each record is one line (for files with stray quotes, such as LIAR).',
    },
    encoding: {
      enum: [...TEXT_ENCODINGS],
      default: 'utf-8',
      description: 'Text encoding. A byte invalid in UTF-8 is a malformed row reported as FILE:LINE:COLUMN.',
    },
    columns: {
      description: 'Columns to keep: a list of names, or {file name: output name} to select and rename. Default: all but the label column.',
      oneOf: [
        { type: 'array', items: { type: 'string' }, minItems: 1 },
        { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, minProperties: 1 },
      ],
    },
    id_column: { type: 'string', minLength: 1, description: 'Take row ids from this column (values must be unique). Default: FILE:LINE.' },
    label_column: { type: 'string', minLength: 1, description: "Take each row's label from this column." },
    label_map: {
      type: 'object',
      // YAML reads an unquoted true/false/3 as a boolean or number: taken as its text.
      additionalProperties: { type: ['string', 'boolean', 'number'], minLength: 1 },
      minProperties: 1,
      description: 'Label text → class name; several texts may map to one class (e.g. {pants-fire: false, barely-true: false, true: true}). A label not in the map is a malformed row.',
    },
    classes: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: ['string', 'boolean', 'number'], minLength: 1 },
      description: 'Class names in id order (class i gets label i). Default: sorted (numerically when every name is an integer).',
    },
    label_names: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'With integer labels in label_column: label id → name, e.g. {"0": "fake", "1": "real"}.',
    },
    on_malformed: {
      enum: ['fail', 'skip'],
      default: 'fail',
      description: 'A malformed row (bad quoting, wrong field count, invalid byte, unknown label) stops the stage, or is skipped and counted.',
    },
    limit_per_file: { type: 'integer', minimum: 1, description: 'Read only the first N rows of each file (quick runs; not a random sample: see sample).' },
    sample: {
      type: 'object',
      additionalProperties: false,
      required: ['seed'],
      properties: {
        n: { type: 'integer', minimum: 1, description: 'Rows to draw (from each output).' },
        fraction: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Fraction of the rows to draw (from each output).' },
        seed: { type: 'integer', description: 'Seed of the draw (pinned here, so the experiment seed does not change the data).' },
        stratify_by: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          description: 'Output columns (or "label") whose value combinations keep their proportions. Default: ["label"] when rows have labels.',
        },
      },
      oneOf: [{ required: ['n'] }, { required: ['fraction'] }],
      description: 'Draw rows at random (seeded), stratified, keeping file order; applies to each output.',
    },
  };
  if (withSplits) {
    const splitFiles = { oneOf: [fileEntry, fileList] };
    properties.splits = {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(SPLIT_NAMES.map((name) => [name, splitFiles])),
      description: 'Pre-split data: {train: file(s), validation: file(s), test: file(s)}, each read into the output of that name (no split stage needed).',
    };
  }
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    ...(withSplits ? { oneOf: [{ required: ['files'] }, { required: ['splits'] }] } : { required: ['files'] }),
  };
}

export function fileEntryOf(file: FileParam): FileEntry {
  return typeof file === 'string' ? { path: file } : file;
}

/** Output port → its files: `files` feed `table`, each split its own port. */
export function outputsOf(params: Pick<LoadTableParams, 'files' | 'splits'>): Array<[string, FileEntry[]]> {
  if (params.files !== undefined) return [['table', params.files.map(fileEntryOf)]];
  return SPLIT_NAMES.filter((name) => params.splits?.[name] !== undefined).map((name) => {
    const given = params.splits![name]!;
    return [name, (Array.isArray(given) ? given : [given]).map(fileEntryOf)];
  });
}

export type { Quoting, TextEncoding };
