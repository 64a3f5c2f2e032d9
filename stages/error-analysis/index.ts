import { copyFile } from 'node:fs/promises';
import { naming, writeFileChunks } from '../../src/util/fs/index.js';
import { join } from 'node:path';
import { defineStage, StageUserError, type InputArtifacts } from '../../src/sdk/index.js';
import { readRows, readTable, readTableInfo, type Row, type TableInfo } from '../../src/artifacts/table.js';
import { tableInput } from '../../src/artifacts/table-input.js';
import { analyzeErrors, titleKey, type Prediction, type TestExample } from './analyze.js';
import { renderErrorAnalysis } from './render.js';

export interface ErrorAnalysisParams {
  max_examples: number;
  max_leaked_titles: number;
  max_table_rows: number;
  title_max_chars: number;
  /** Unset: "title" when the tables have one, silently nothing otherwise; set: a column the user expects. */
  title_field?: string;
  subject_field: string;
  /** Shown instead of the title when the test table has no title column. */
  text_field: string;
}

const STAGE = 'error-analysis';
export const REPORT_FILE = 'error-analysis.md';
export const MISCLASSIFIED_FILE = 'misclassified.jsonl';
export const LEAKED_FILE = 'leaked-titles.jsonl';

function fail(message: string): never {
  throw new StageUserError(`${STAGE}: ${message}`);
}

function toId(value: unknown, where: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return fail(`${where} has no usable "id" (got ${JSON.stringify(value)})`);
}

function toLabel(value: unknown, field: string, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return fail(`${where}: "${field}" is ${JSON.stringify(value)}, expected an integer label`);
}

/** One row of the evaluate stage's predictions table, checked. */
function parsePrediction(row: Row, index: number): Prediction {
  const id = toId(row.id, `predictions row ${index + 1}`);
  const where = `predictions row ${index + 1} (id ${id})`;
  const label = toLabel(row.label, 'label', where);
  const predicted = toLabel(row.predicted, 'predicted', where);
  let probabilities: number[] = [];
  if (row.probabilities !== undefined) {
    if (!Array.isArray(row.probabilities) || !row.probabilities.every((p) => typeof p === 'number' && Number.isFinite(p))) {
      fail(`${where}: "probabilities" must be an array of numbers`);
    }
    probabilities = row.probabilities as number[];
  }
  let confidence: number;
  if (typeof row.confidence === 'number' && Number.isFinite(row.confidence)) confidence = row.confidence;
  else if (row.confidence === undefined && probabilities[predicted] !== undefined) confidence = probabilities[predicted]!;
  else return fail(`${where}: "confidence" is ${JSON.stringify(row.confidence)} and cannot be taken from probabilities`);
  return { id, label, predicted, probabilities, confidence };
}

function titleFieldOf(params: ErrorAnalysisParams): string {
  return params.title_field ?? 'title';
}

function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

interface TestTable {
  examples: Map<string, TestExample>;
  labels: Map<string, number>;
  titleSource: string;
  hasTitles: boolean;
}

/** Reads what the analysis needs from the test rows (not their full text), streaming. */
async function readTest(dir: string, info: TableInfo, params: ErrorAnalysisParams): Promise<TestTable> {
  const hasTitles = info.columns.includes(titleFieldOf(params));
  const titleSource = hasTitles ? 'title' : info.columns.includes(params.text_field) ? params.text_field : 'id';
  const field = hasTitles ? titleFieldOf(params) : params.text_field;
  const hasSubject = info.columns.includes(params.subject_field);
  const examples = new Map<string, TestExample>();
  const labels = new Map<string, number>();
  let line = 0;
  for await (const row of readRows(dir)) {
    line++;
    const id = toId(row.id, `test row ${line}`);
    if (examples.has(id)) fail(`the test table has two rows with id ${id}`);
    // Without titles, the first 300 characters of the text are enough to show and truncate.
    const raw = titleSource === 'id' ? id : (optionalString(row[field]) ?? '');
    const title = hasTitles ? raw : raw.slice(0, 300);
    const subject = hasSubject ? (optionalString(row[params.subject_field]) ?? '(none)') : undefined;
    examples.set(id, subject === undefined ? { id, title } : { id, title, subject });
    if (typeof row.label === 'number') labels.set(id, row.label);
  }
  return { examples, labels, titleSource, hasTitles };
}

/** Train title key → row count, streaming (train text is never held in memory). */
async function readTrainTitles(dir: string, field: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const row of readRows(dir)) {
    const title = optionalString(row[field]);
    if (title === undefined) continue;
    const key = titleKey(title);
    if (key === '') continue;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function optionalTable(inputs: InputArtifacts, port: string): string | undefined {
  if (inputs[port] === undefined) return undefined;
  return tableInput(inputs, port, STAGE).path;
}

export default defineStage<ErrorAnalysisParams>({
  name: STAGE,
  version: '1',
  description:
    'Misclassified test examples (most confident first), errors by subject, and titles shared by train and test, as error-analysis.md.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      max_examples: { type: 'integer', minimum: 0, default: 20, description: 'Mistakes listed in the report (all go to misclassified.jsonl).' },
      max_leaked_titles: { type: 'integer', minimum: 0, default: 20, description: 'Shared titles listed in the report (all go to leaked-titles.jsonl).' },
      title_max_chars: { type: 'integer', minimum: 10, default: 100, description: 'Titles longer than this are cut at a word boundary.' },
      max_table_rows: { type: 'integer', minimum: 1, default: 20, description: 'Rows of the mistakes-by-label and errors-by-subject tables, most mistakes first (the rest are counted).' },
      title_field: {
        type: 'string',
        minLength: 1,
        description: 'Column with titles (for the examples and the train/test overlap). Default: "title" when the tables have it; name it to be warned when they do not.',
      },
      subject_field: { type: 'string', minLength: 1, default: 'subject' },
      text_field: { type: 'string', minLength: 1, default: 'text', description: 'Shown instead of the title when the test table has no title column.' },
    },
  },
  inputs: {
    predictions: { kind: 'table', description: 'The evaluate stage\'s predictions on the test split: id, label, predicted, probabilities, confidence.' },
    test: { kind: 'table', description: 'The test split the predictions are for (id, title, label, subject).' },
    train: { kind: 'table', optional: true, description: 'The train split, to find titles that occur in both.' },
  },
  outputs: {
    report: { kind: 'report', description: `${REPORT_FILE}, ${MISCLASSIFIED_FILE} and, when train is given, ${LEAKED_FILE}.` },
  },
  deterministic: true,
  async run(ctx, inputs, params) {
    const predictionsDir = tableInput(inputs, 'predictions', STAGE).path;
    const testDir = tableInput(inputs, 'test', STAGE).path;
    const trainDir = optionalTable(inputs, 'train');

    const { info: predictionInfo, rows: predictionRows } = await readTable(predictionsDir);
    const predictions = predictionRows.map(parsePrediction);
    if (predictions.length === 0) fail('the predictions table has no rows');
    const testInfo = await readTableInfo(testDir);
    const test = await readTest(testDir, testInfo, params);
    ctx.progress({ current: predictions.length, total: predictions.length, unit: 'predictions' });

    const predicted = new Set<string>();
    for (const p of predictions) {
      if (predicted.has(p.id)) fail(`the predictions table has two rows for id ${p.id}`);
      predicted.add(p.id);
      if (!test.examples.has(p.id)) {
        fail(`prediction for id ${p.id} has no row in the test table: are "predictions" and "test" wired to the same split?`);
      }
      const testLabel = test.labels.get(p.id);
      if (testLabel !== undefined && testLabel !== p.label) {
        fail(`id ${p.id}: the predictions say true label ${p.label} but the test table says ${testLabel}; the inputs do not belong together`);
      }
    }
    const unpredicted = test.examples.size - predicted.size;
    if (unpredicted > 0) ctx.log.warn(`${unpredicted} of ${test.examples.size} test rows have no prediction; they are left out of the analysis`);

    const names = predictionInfo.labels ?? testInfo.labels ?? {};
    const labelName = (label: number): string => names[String(label)] ?? String(label);

    let trainTitles: Map<string, number> | undefined;
    let leakageSkipped: string | undefined;
    if (trainDir === undefined) {
      leakageSkipped = 'no train split was connected';
    } else if (!test.hasTitles) {
      leakageSkipped = `the test table has no column "${titleFieldOf(params)}"`;
    } else if (!(await readTableInfo(trainDir)).columns.includes(titleFieldOf(params))) {
      leakageSkipped = `the train table has no column "${titleFieldOf(params)}"`;
    } else {
      trainTitles = await readTrainTitles(trainDir, titleFieldOf(params));
    }
    // The report always says why; a warning on every run is only for a column the user named.
    if (leakageSkipped !== undefined && trainDir !== undefined && params.title_field !== undefined) {
      ctx.log.warn(`titles shared by train and test not checked: ${leakageSkipped}`);
    }

    const analysis = analyzeErrors({ predictions, test: test.examples, labelName, ...(trainTitles ? { trainTitles } : {}) });
    const markdown = renderErrorAnalysis(analysis, {
      maxExamples: params.max_examples,
      maxLeakedTitles: params.max_leaked_titles,
      maxTableRows: params.max_table_rows,
      titleMaxChars: params.title_max_chars,
      titleSource: test.titleSource,
      unpredicted,
      ...(leakageSkipped !== undefined ? { leakageSkipped } : {}),
    });

    const outDir = ctx.outputDir('report');
    const files = [REPORT_FILE, MISCLASSIFIED_FILE];
    await writeFileChunks(join(outDir, REPORT_FILE), [markdown]);
    const misclassifiedLines = analysis.misclassified.map((m) =>
      JSON.stringify({
        id: m.id,
        title: m.title,
        label: m.label,
        label_name: m.labelName,
        predicted: m.predicted,
        predicted_name: m.predictedName,
        confidence: m.confidence,
        probabilities: m.probabilities,
        ...(m.subject !== undefined ? { subject: m.subject } : {}),
        ...(m.titleInTrain !== undefined ? { title_in_train: m.titleInTrain } : {}),
      }),
    );
    await writeFileChunks(join(outDir, MISCLASSIFIED_FILE), misclassifiedLines.map((l) => l + '\n'));
    if (analysis.leakage !== undefined) {
      const lines = analysis.leakage.titles.map((t) =>
        JSON.stringify({ title: t.title, test_rows: t.testRows, train_rows: t.trainRows, misclassified: t.misclassified }),
      );
      await writeFileChunks(join(outDir, LEAKED_FILE), lines.map((l) => l + '\n'));
      files.push(LEAKED_FILE);
    }
    // The report names these files, so they go to the run folder together.
    for (const file of files) await naming(join(ctx.exportDir, file), () => copyFile(join(outDir, file), join(ctx.exportDir, file)));

    const leakage = analysis.leakage;
    return {
      metrics: {
        examples: analysis.examples,
        misclassified: analysis.misclassified.length,
        error_rate: analysis.errorRate,
        leaked_titles: leakage ? leakage.titles.length : null,
        leaked_test_rows: leakage ? leakage.testRows : null,
        leaked_misclassified: leakage ? leakage.misclassified : null,
        unpredicted_test_rows: unpredicted,
      },
      summary:
        `${analysis.misclassified.length} of ${analysis.examples} misclassified (${(analysis.errorRate * 100).toFixed(2)}%)` +
        (leakage ? `, ${leakage.titles.length} titles shared with train` : ''),
    };
  },
});
