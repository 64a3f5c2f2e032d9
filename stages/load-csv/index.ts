import { basename } from 'node:path';
import { defineStage, StageUserError, type StageContext } from '../../src/sdk/index.js';
import { writeTable, type Row } from '../../src/artifacts/table.js';
import { csvDisplayName, openCsv } from '../../src/text/csv.js';
import { isUserError } from '../../src/util/errors.js';

export interface LoadCsvFile {
  path: string;
  /** A constant label for every row of this file (ISOT: Fake.csv → 0, True.csv → 1). */
  label?: number;
  label_name?: string;
}

export interface LoadCsvParams {
  files: LoadCsvFile[];
  label_column?: string;
  label_names?: Record<string, string>;
  columns?: string[] | Record<string, string>;
  on_malformed: 'fail' | 'skip';
  limit_per_file?: number;
}

/** How many malformed locations metrics keep when skipping (the count is always exact). */
const MAX_EXAMPLES = 5;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['files'],
  properties: {
    files: {
      type: 'array',
      minItems: 1,
      description: 'CSV files (plain or gzip), read in order and concatenated.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: { type: 'string', minLength: 1, description: 'Relative to the spec file.' },
          label: { type: 'integer', description: 'Constant label for every row of this file.' },
          label_name: { type: 'string', minLength: 1, description: 'Human name of that label, e.g. "fake".' },
        },
      },
    },
    label_column: {
      type: 'string',
      minLength: 1,
      description: 'Take each row\'s integer label from this column (for files without a constant `label`).',
    },
    label_names: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Label id → name, e.g. {"0": "fake", "1": "real"}; written to table.json.',
    },
    columns: {
      description: 'Columns to keep: a list of names, or {csv name: output name} to select and rename. Default: all.',
      oneOf: [
        { type: 'array', items: { type: 'string' }, minItems: 1 },
        { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, minProperties: 1 },
      ],
    },
    on_malformed: {
      enum: ['fail', 'skip'],
      default: 'fail',
      description: 'A malformed row (bad quoting, wrong field count, invalid label) stops the stage, or is skipped and counted.',
    },
    limit_per_file: { type: 'integer', minimum: 1, description: 'Read at most this many rows of each file (quick runs).' },
  },
} as const;

/** csv column → output column. */
function columnMapping(columns: LoadCsvParams['columns'], header: string[], labelColumn: string | undefined): Array<[string, string]> {
  if (columns === undefined) return header.filter((name) => name !== labelColumn).map((name) => [name, name]);
  if (Array.isArray(columns)) return columns.map((name) => [name, name]);
  return Object.entries(columns);
}

const INTEGER = /^\s*-?\d+\s*$/;

export default defineStage<LoadCsvParams>({
  name: 'load-csv',
  version: '1',
  description: 'Read CSV files (plain or .gz, RFC 4180) into a table; labels per file or from a column; ids are file:line.',
  params: schema,
  inputs: {},
  outputs: { table: { kind: 'table', description: 'One row per CSV record: id, the selected columns, label.' } },
  deterministic: true,
  // The CSV files are outside the pipeline: their bytes belong in the signature, so editing a
  // data file reruns this stage (and, if its rows change, everything downstream).
  async fingerprint(params, ctx) {
    const hashes: Record<string, string> = {};
    for (const file of params.files) {
      try {
        hashes[file.path] = await ctx.hashFile(ctx.resolvePath(file.path));
      } catch {
        hashes[file.path] = 'missing'; // run() reports the missing file with its path
      }
    }
    return hashes;
  },
  async run(ctx: StageContext, _inputs, params) {
    const onMalformed = params.on_malformed ?? 'fail';
    const names = params.files.map((file) => csvDisplayName(file.path));
    const clash = names.find((name, i) => names.indexOf(name) !== i);
    if (clash !== undefined) {
      throw new StageUserError(`load-csv: two files are named ${clash}; row ids (${clash}:<line>) would collide. Rename one of them.`);
    }
    const labels: Record<string, string> = { ...(params.label_names ?? {}) };
    for (const [i, file] of params.files.entries()) {
      if (file.label_name !== undefined && file.label === undefined) {
        throw new StageUserError(`load-csv: files[${i}] (${file.path}) has label_name but no label`);
      }
      if (file.label === undefined && params.label_column === undefined && params.files.some((f) => f.label !== undefined)) {
        throw new StageUserError(`load-csv: files[${i}] (${file.path}) has no label while other files do; give it a label or set label_column`);
      }
      if (file.label !== undefined && file.label_name !== undefined) {
        const known = labels[String(file.label)];
        if (known !== undefined && known !== file.label_name) {
          throw new StageUserError(`load-csv: label ${file.label} is named both "${known}" and "${file.label_name}"`);
        }
        labels[String(file.label)] = file.label_name;
      }
    }

    const rowsByFile: Record<string, number> = {};
    const labelCounts: Record<string, number> = {};
    const emptyFields: Record<string, number> = {};
    const malformedExamples: string[] = [];
    let skipped = 0;
    let total = 0;

    const malformed = (name: string, line: number, message: string): void => {
      if (onMalformed === 'fail') {
        throw new StageUserError(`${name}:${line}: malformed CSV row: ${message} (set on_malformed: skip to skip such rows)`);
      }
      skipped++;
      if (malformedExamples.length < MAX_EXAMPLES) malformedExamples.push(`${name}:${line}: ${message}`);
    };

    async function* rows(): AsyncGenerator<Row> {
      for (const [i, file] of params.files.entries()) {
        const path = ctx.resolvePath(file.path);
        const name = names[i]!;
        let csv;
        try {
          csv = await openCsv(path, { signal: ctx.signal });
        } catch (error) {
          if (isUserError(error)) throw new StageUserError(`load-csv: files[${i}]: ${error.message}`);
          throw error;
        }
        const labelColumn = file.label === undefined ? params.label_column : undefined;
        const mapping = columnMapping(params.columns, csv.header, params.label_column);
        const missing = [...mapping.map(([from]) => from), ...(labelColumn ? [labelColumn] : [])].filter((c) => !csv.header.includes(c));
        if (missing.length > 0) {
          throw new StageUserError(
            `${path}:${csv.headerLine}: no column ${missing.map((c) => JSON.stringify(c)).join(', ')} (the header has ${csv.header.map((c) => JSON.stringify(c)).join(', ')})`,
          );
        }
        let count = 0;
        for await (const event of csv.rows) {
          if (event.type === 'malformed') {
            malformed(name, event.line, event.message);
            continue;
          }
          let label = file.label;
          if (labelColumn !== undefined) {
            const raw = event.values[labelColumn]!;
            if (!INTEGER.test(raw)) {
              malformed(name, event.line, `label column ${JSON.stringify(labelColumn)} holds ${JSON.stringify(raw)}, not an integer`);
              continue;
            }
            label = Number.parseInt(raw, 10);
          }
          const row: Row = { id: `${name}:${event.line}` };
          for (const [from, to] of mapping) {
            const value = event.values[from]!;
            if (value.trim() === '') emptyFields[to] = (emptyFields[to] ?? 0) + 1;
            row[to] = value;
          }
          if (label !== undefined) {
            row.label = label;
            labelCounts[String(label)] = (labelCounts[String(label)] ?? 0) + 1;
          }
          count++;
          total++;
          if (total % 1000 === 0) ctx.progress({ current: total, unit: 'rows', message: name });
          yield row;
          if (params.limit_per_file !== undefined && count >= params.limit_per_file) break;
        }
        rowsByFile[name] = count;
        ctx.log.info(`${basename(path)}: ${count} rows`);
      }
    }

    const info = await writeTable(ctx.outputDir('table'), rows(), Object.keys(labels).length > 0 ? { labels } : {});
    if (skipped > 0) ctx.log.warn(`skipped ${skipped} malformed rows, first at ${malformedExamples[0]}`);
    const labelSummary = Object.entries(labelCounts)
      .map(([id, n]) => `${labels[id] ?? id} ${n}`)
      .join(', ');
    return {
      metrics: {
        rows: info.rowCount,
        rows_by_file: rowsByFile,
        skipped_malformed: skipped,
        malformed_examples: malformedExamples,
        label_counts: labelCounts,
        empty_fields: emptyFields,
        columns: info.columns,
      },
      summary: `${info.rowCount} rows from ${params.files.length} file(s)${labelSummary ? ` (${labelSummary})` : ''}${skipped > 0 ? `, ${skipped} malformed skipped` : ''}`,
    };
  },
});
