/**
 * load-table: delimited text (CSV, TSV, any one-character delimiter; with or without a header;
 * RFC 4180 quoting or none; UTF-8, latin1 or windows-1252; plain or .gz) and JSON Lines, into
 * tables. `files` are concatenated into the `table` output; `splits` read a pre-split dataset
 * into `train`, `validation` and `test` outputs in one stage. Labels come from a column
 * (optionally through `label_map`) or are constant per file; class names are recorded with
 * every table (table.json `labels`), in an order that does not depend on the rows.
 *
 * load-csv is this stage with `files` only (one `table` output), so existing specs keep working.
 */
import { basename } from 'node:path';
import { StageUserError, type StageContext, type MetricValue } from '../sdk/index.js';
import { writeTable, type Row } from '../artifacts/table.js';
import { csvDisplayName } from '../text/csv.js';
import { labelPlan, type RawLabel } from './labels.js';
import { loaderSchema, outputsOf, SPLIT_NAMES, type FileEntry, type LoadTableParams } from './params.js';
import { openFile } from './read.js';
import { drawSample } from './sample.js';

export type { LoadTableParams } from './params.js';
export { loaderSchema } from './params.js';

/** How many malformed locations metrics keep when skipping (the count is always exact). */
const MAX_EXAMPLES = 5;

interface PendingRow {
  row: Row;
  label?: RawLabel;
}

/** file column → output column, for a file whose columns are `available` (all of a row's keys for JSON Lines). */
function columnMapping(params: LoadTableParams, available: string[]): Array<[string, string]> {
  const { columns } = params;
  if (columns === undefined) return available.filter((name) => name !== params.label_column && name !== params.id_column).map((name) => [name, name]);
  if (Array.isArray(columns)) return columns.map((name) => [name, name]);
  return Object.entries(columns);
}

function checkReserved(stage: string, mapping: Array<[string, string]>, labelled: boolean): void {
  for (const [from, to] of mapping) {
    if (to === 'id' || (to === 'label' && labelled)) {
      const fix = to === 'id' ? 'set id_column to use it as the row id' : 'set label_column to it';
      throw new StageUserError(`${stage}: column ${JSON.stringify(from)} would be written as "${to}", which the table reserves for the row ${to}; ${fix}, or rename it with columns: {${from}: another_name}`);
    }
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Reads every file of the stage into its output tables; shared by load-table and load-csv. */
export async function runLoader(ctx: StageContext, params: LoadTableParams, stage: string): Promise<{ metrics: Record<string, MetricValue>; summary: string }> {
  const onMalformed = params.on_malformed ?? 'fail';
  const outputs = outputsOf(params);
  const all = outputs.flatMap(([output, files]) =>
    files.map((file, i) => ({ output, file, where: output === 'table' ? `files[${i}]` : `splits.${output}[${i}]` })),
  );
  const names = all.map(({ file }) => csvDisplayName(file.path));
  const clash = names.find((name, i) => names.indexOf(name) !== i);
  if (clash !== undefined && params.id_column === undefined) {
    throw new StageUserError(`${stage}: two files are named ${clash}; row ids (${clash}:<line>) would collide. Rename one of them.`);
  }
  const plan = labelPlan(stage, params, all);
  const labelled = plan.mode !== 'none';

  const rowsByFile: Record<string, number> = {};
  const emptyFields: Record<string, number> = {};
  const malformedExamples: string[] = [];
  const seenIds = new Map<string, string>();
  let skipped = 0;
  let total = 0;

  const pendingByOutput = new Map<string, PendingRow[]>();
  for (const [index, { output, file, where }] of all.entries()) {
    const path = ctx.resolvePath(file.path);
    const name = names[index]!;
    const opened = await openFile(stage, where, path, params, ctx.signal);
    const malformed = (line: number, column: number | undefined, message: string): void => {
      const at = `${line}${column !== undefined ? `:${column}` : ''}`;
      if (onMalformed === 'fail') {
        throw new StageUserError(`${path}:${at}: malformed ${opened.kind} row: ${message} (set on_malformed: skip to skip such rows)`);
      }
      skipped++;
      if (malformedExamples.length < MAX_EXAMPLES) malformedExamples.push(`${name}:${at}: ${message}`);
    };
    const labelColumn = file.label === undefined ? params.label_column : undefined;
    let mapping: Array<[string, string]> | undefined;
    if (opened.header !== undefined) {
      mapping = columnMapping(params, opened.header);
      const needed = [...mapping.map(([from]) => from), ...(labelColumn ? [labelColumn] : []), ...(params.id_column ? [params.id_column] : [])];
      const missing = needed.filter((column) => !opened.header!.includes(column));
      if (missing.length > 0) {
        await opened.rows.return(undefined);
        throw new StageUserError(
          `${opened.headerWhere}: no column ${missing.map((c) => JSON.stringify(c)).join(', ')} (the header has ${opened.header.map((c) => JSON.stringify(c)).join(', ')})`,
        );
      }
      checkReserved(stage, mapping, labelled);
    }
    const pending = pendingByOutput.get(output) ?? [];
    pendingByOutput.set(output, pending);
    let count = 0;
    for await (const event of opened.rows) {
      if (event.type === 'malformed') {
        malformed(event.line, event.column, event.message);
        continue;
      }
      const values = event.values as Record<string, unknown>;
      const rowMapping = mapping ?? columnMapping(params, Object.keys(values));
      if (mapping === undefined) {
        checkReserved(stage, rowMapping, labelled);
        const missing = rowMapping.map(([from]) => from).concat(labelColumn ? [labelColumn] : [], params.id_column ? [params.id_column] : []).filter((c) => !(c in values));
        if (missing.length > 0) {
          malformed(event.line, undefined, `no field ${missing.map((c) => JSON.stringify(c)).join(', ')}`);
          continue;
        }
      }
      let label: RawLabel | undefined;
      if (labelled) {
        const resolved = plan.labelOf(file, labelColumn !== undefined ? values[labelColumn] : undefined);
        if (typeof resolved === 'string') {
          malformed(event.line, undefined, resolved);
          continue;
        }
        label = resolved;
      }
      const id = params.id_column !== undefined ? text(values[params.id_column]).trim() : `${name}:${event.line}`;
      if (params.id_column !== undefined) {
        if (id === '') {
          malformed(event.line, undefined, `empty id in column ${JSON.stringify(params.id_column)}`);
          continue;
        }
        const first = seenIds.get(id);
        if (first !== undefined) throw new StageUserError(`${path}:${event.line}: id ${JSON.stringify(id)} (column ${JSON.stringify(params.id_column)}) repeats ${first}; ids must be unique`);
        seenIds.set(id, `${name}:${event.line}`);
      }
      const row: Row = { id };
      for (const [from, to] of rowMapping) {
        const value = values[from];
        if (typeof value === 'string' && value.trim() === '') emptyFields[to] = (emptyFields[to] ?? 0) + 1;
        row[to] = value;
      }
      pending.push(label === undefined ? { row } : { row, label });
      count++;
      total++;
      if (total % 1000 === 0) ctx.progress({ current: total, unit: 'rows', message: name });
      if (params.limit_per_file !== undefined && count >= params.limit_per_file) break;
    }
    await opened.rows.return(undefined);
    rowsByFile[name] = count;
    ctx.log.info(`${basename(path)}: ${count} rows`);
  }

  // Class ids are fixed over every output, so train and test agree on what label 3 means.
  const seenNames = new Set<string>();
  for (const pending of pendingByOutput.values()) for (const { label } of pending) if (label && 'name' in label) seenNames.add(label.name);
  const classes = plan.classes(seenNames);
  const idOf = new Map(classes.map((name, id) => [name, id]));
  const labelNames = plan.names(classes);

  const rowsByOutput: Record<string, number> = {};
  const countsByOutput: Record<string, Record<string, number>> = {};
  const sampled: Record<string, string> = {};
  const columns: string[] = [];
  for (const [output, pending] of pendingByOutput) {
    for (const entry of pending) {
      if (entry.label !== undefined) entry.row.label = 'id' in entry.label ? entry.label.id : idOf.get(entry.label.name)!;
    }
    let rows = pending.map((entry) => entry.row);
    if (params.sample !== undefined) {
      const stratifyBy = params.sample.stratify_by ?? (labelled ? ['label'] : []);
      for (const column of stratifyBy) {
        if (rows.length > 0 && !(column in rows[0]!)) {
          throw new StageUserError(`${stage}: sample.stratify_by names ${JSON.stringify(column)}, which the ${output} rows do not have (they have ${Object.keys(rows[0]!).join(', ')})`);
        }
      }
      const keyOf = (i: number): string => JSON.stringify(stratifyBy.map((column) => rows[i]![column] ?? null));
      const drawn = drawSample(rows.length, keyOf, params.sample, `${stage}: ${output}`);
      sampled[output] = `${drawn.length} of ${rows.length}`;
      rows = drawn.map((i) => rows[i]!);
    }
    const counts: Record<string, number> = {};
    for (const row of rows) if (row.label !== undefined) counts[String(row.label)] = (counts[String(row.label)] ?? 0) + 1;
    const info = await writeTable(ctx.outputDir(output), rows, labelNames !== undefined ? { labels: labelNames } : {});
    for (const column of info.columns) if (!columns.includes(column)) columns.push(column);
    rowsByOutput[output] = info.rowCount;
    countsByOutput[output] = counts;
  }

  if (skipped > 0) ctx.log.warn(`skipped ${skipped} malformed rows, first at ${malformedExamples[0]}`);
  const totalCounts: Record<string, number> = {};
  for (const counts of Object.values(countsByOutput)) for (const [id, n] of Object.entries(counts)) totalCounts[id] = (totalCounts[id] ?? 0) + n;
  const written = Object.values(rowsByOutput).reduce((a, b) => a + b, 0);
  const split = outputs.length > 1 || outputs[0]![0] !== 'table';
  const metrics: Record<string, MetricValue> = {
    rows: written,
    rows_by_file: rowsByFile,
    ...(split ? { rows_by_output: rowsByOutput, label_counts_by_output: countsByOutput } : {}),
    skipped_malformed: skipped,
    malformed_examples: malformedExamples,
    label_counts: totalCounts,
    ...(labelNames !== undefined ? { classes: labelNames } : {}),
    ...(params.sample !== undefined ? { sampled } : {}),
    empty_fields: emptyFields,
    columns,
  };
  const labelSummary = Object.entries(totalCounts)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([id, n]) => `${labelNames?.[id] ?? id} ${n}`)
    .join(', ');
  const where = split ? Object.entries(rowsByOutput).map(([output, n]) => `${output} ${n}`).join(', ') : `${written} rows`;
  const summary = `${where} from ${all.length} file(s)${labelSummary ? ` (${labelSummary})` : ''}${params.sample ? ', sampled' : ''}${skipped > 0 ? `, ${skipped} malformed skipped` : ''}`;
  return { metrics, summary };
}

/** Hashes of the data files (outside the pipeline), so editing one reruns the stage. */
export async function loaderFingerprint(params: LoadTableParams, ctx: { resolvePath(p: string): string; hashFile(p: string): Promise<string> }): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const [, files] of outputsOf(params)) {
    for (const file of files as FileEntry[]) {
      try {
        hashes[file.path] = await ctx.hashFile(ctx.resolvePath(file.path));
      } catch {
        hashes[file.path] = 'missing'; // run() reports the missing file with its path
      }
    }
  }
  return hashes;
}

