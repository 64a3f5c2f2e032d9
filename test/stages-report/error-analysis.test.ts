import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import stage from '../../stages/error-analysis/index.js';
import { analyzeErrors, truncateTitle } from '../../stages/error-analysis/analyze.js';
import { runStage, tableArtifact } from './run.js';

const LABELS = { '0': 'fake', '1': 'real' };
const LONG_TITLE =
  'BREAKING: Senate committee releases a very long report on the budget negotiations that went on well into the night and beyond';

// Ten test rows; four are misclassified (t2, t5, t7, t9). t5 and t9 tie at 0.99: prediction order decides.
const testRows = [
  { id: 't1', title: 'Trump meets Putin', text: 'a', label: 0, subject: 'politics' },
  { id: 't2', title: '  Graphic: Supreme Court ROUNDUP ', text: 'b', label: 1, subject: 'politicsNews' },
  { id: 't3', title: 'Budget passes', text: 'c', label: 1, subject: 'politicsNews' },
  { id: 't4', title: 'Trump meets Putin', text: 'd', label: 0, subject: 'politics' },
  { id: 't5', title: 'NUMBER OF REFUGEES Welcomed To U.S.', text: 'e', label: 0, subject: 'News' },
  { id: 't6', title: 'Weather report', text: 'f', label: 1, subject: 'worldnews' },
  { id: 't7', title: LONG_TITLE, text: 'g', label: 1, subject: 'worldnews' },
  { id: 't8', title: 'Markets rally', text: 'h', label: 1, subject: 'worldnews' },
  { id: 't9', title: 'NUMBER OF REFUGEES Welcomed To U.S.', text: 'i', label: 0, subject: 'News' },
  { id: 't10', title: '', text: 'j', label: 0, subject: 'News' },
];
const conf: Record<string, number> = { t1: 0.8, t2: 0.91, t3: 0.7, t4: 0.6, t5: 0.99, t6: 0.95, t7: 0.75, t8: 0.9, t9: 0.99, t10: 0.85 };
const wrong = new Set(['t2', 't5', 't7', 't9']);
const predictionRows = testRows.map((r) => {
  const predicted = wrong.has(r.id) ? 1 - r.label : r.label;
  const c = conf[r.id]!;
  const probabilities = predicted === 1 ? [1 - c, c] : [c, 1 - c];
  return { id: r.id, label: r.label, predicted, probabilities, confidence: c };
});
const trainRows = [
  { id: 'r1', title: 'graphic: supreme court roundup', text: 'x', label: 1 },
  { id: 'r2', title: 'Trump meets Putin', text: 'x', label: 0 },
  { id: 'r3', title: 'number of refugees welcomed to u.s.', text: 'x', label: 0 },
  { id: 'r4', title: 'NUMBER OF REFUGEES WELCOMED TO U.S.', text: 'x', label: 0 },
  { id: 'r5', title: '', text: 'x', label: 0 },
  { id: 'r6', title: 'Something else', text: 'x', label: 1 },
];

async function inputs(options: { train?: boolean; test?: object[]; predictions?: object[] } = {}) {
  return {
    predictions: await tableArtifact((options.predictions ?? predictionRows) as never[], LABELS),
    test: await tableArtifact((options.test ?? testRows) as never[], LABELS),
    ...(options.train === false ? {} : { train: await tableArtifact(trainRows, LABELS) }),
  };
}

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('error-analysis stage', () => {
  it('writes the report, the misclassified rows most confident first, and the metrics', async () => {
    const run = await runStage(stage, {}, await inputs());
    expect(run.result.metrics).toEqual({
      examples: 10,
      misclassified: 4,
      error_rate: 0.4,
      leaked_titles: 3,
      leaked_test_rows: 5,
      leaked_misclassified: 3,
      unpredicted_test_rows: 0,
    });
    expect(run.result.summary).toBe('4 of 10 misclassified (40.00%), 3 titles shared with train');

    const out = run.outputDir('report');
    expect(readdirSync(out).sort()).toEqual(['error-analysis.md', 'leaked-titles.jsonl', 'misclassified.jsonl']);
    const mis = readJsonl(join(out, 'misclassified.jsonl'));
    expect(mis.map((m) => m.id)).toEqual(['t5', 't9', 't2', 't7']);
    expect(mis[0]).toEqual({
      id: 't5',
      title: 'NUMBER OF REFUGEES Welcomed To U.S.',
      label: 0,
      label_name: 'fake',
      predicted: 1,
      predicted_name: 'real',
      confidence: 0.99,
      probabilities: [1 - 0.99, 0.99],
      subject: 'News',
      title_in_train: true,
    });
    expect(mis[3]).toMatchObject({ id: 't7', title: LONG_TITLE, title_in_train: false });
    expect(readJsonl(join(out, 'leaked-titles.jsonl'))).toEqual([
      { title: 'NUMBER OF REFUGEES Welcomed To U.S.', test_rows: 2, train_rows: 2, misclassified: 2 },
      { title: 'Graphic: Supreme Court ROUNDUP', test_rows: 1, train_rows: 1, misclassified: 1 },
      { title: 'Trump meets Putin', test_rows: 2, train_rows: 1, misclassified: 0 },
    ]);

    const md = readFileSync(join(out, 'error-analysis.md'), 'utf8');
    // The run folder gets the same report, and the files it names.
    expect(readFileSync(join(run.exportDir, 'error-analysis.md'), 'utf8')).toBe(md);
    expect(readdirSync(run.exportDir).sort()).toEqual(['error-analysis.md', 'leaked-titles.jsonl', 'misclassified.jsonl']);

    expect(md).toBe(`# Error analysis

**4 of 10 test examples misclassified** (error rate 40.00%, accuracy 60.00%).

## Mistakes by label

| true label | predicted label | count |
| --- | --- | ---: |
| fake | real | 2 |
| real | fake | 2 |

## Most confident mistakes

All 4 mistakes are listed, most confident first; all of them are in \`misclassified.jsonl\`.

| # | id | Title | true | predicted | confidence | subject | title in train |
| ---: | --- | --- | --- | --- | ---: | --- | --- |
| 1 | t5 | NUMBER OF REFUGEES Welcomed To U.S. | fake | real | 0.9900 | News | yes |
| 2 | t9 | NUMBER OF REFUGEES Welcomed To U.S. | fake | real | 0.9900 | News | yes |
| 3 | t2 | Graphic: Supreme Court ROUNDUP | real | fake | 0.9100 | politicsNews | yes |
| 4 | t7 | BREAKING: Senate committee releases a very long report on the budget negotiations that went on well… | real | fake | 0.7500 | worldnews | no |

## Errors by subject

| subject | examples | misclassified | error rate |
| --- | ---: | ---: | ---: |
| News | 3 | 2 | 66.67% |
| politicsNews | 2 | 1 | 50.00% |
| worldnews | 3 | 1 | 33.33% |
| politics | 2 | 0 | 0.00% |

## Titles in both train and test

Titles compared after trimming and lower-casing.

**3 distinct test titles also occur in the train split**, on 5 test rows (50.00% of the test split); 3 of those rows are misclassified.

All 3 titles are listed; all of them are in \`leaked-titles.jsonl\`.

| title | test rows | train rows | misclassified |
| --- | ---: | ---: | ---: |
| NUMBER OF REFUGEES Welcomed To U.S. | 2 | 2 | 2 |
| Graphic: Supreme Court ROUNDUP | 1 | 1 | 1 |
| Trump meets Putin | 2 | 1 | 0 |
`);
  });

  it('limits the listed examples with max_examples but keeps every mistake in misclassified.jsonl', async () => {
    const run = await runStage(stage, { max_examples: 2, max_leaked_titles: 1 }, await inputs());
    const md = readFileSync(join(run.outputDir('report'), 'error-analysis.md'), 'utf8');
    expect(md).toContain('The first 2 of 4 mistakes are listed, most confident first');
    expect(md).toContain('| 2 | t9 |');
    expect(md).not.toContain('| 3 | t2 |');
    expect(md).toContain('The first 1 of 3 titles are listed');
    expect(readJsonl(join(run.outputDir('report'), 'misclassified.jsonl'))).toHaveLength(4);
  });

  it('says leakage was not checked without a train split, and leaves out subjects the data lacks', async () => {
    const test = testRows.map(({ subject: _subject, ...rest }) => rest);
    const run = await runStage(stage, {}, await inputs({ train: false, test }));
    expect(run.result.metrics).toMatchObject({ misclassified: 4, leaked_titles: null, leaked_test_rows: null });
    const out = run.outputDir('report');
    const md = readFileSync(join(out, 'error-analysis.md'), 'utf8');
    expect(md).toContain('## Titles in both train and test\n\nNot checked: no train split was connected.');
    expect(md).not.toContain('## Errors by subject');
    expect(md).toContain('| # | id | Title | true | predicted | confidence |\n');
    expect(readdirSync(out).sort()).toEqual(['error-analysis.md', 'misclassified.jsonl']);
    expect(readJsonl(join(out, 'misclassified.jsonl'))[0]).not.toHaveProperty('title_in_train');
  });

  it('shows the start of the text when the test split has no titles, and reports unpredicted rows', async () => {
    const test = testRows.map(({ title: _title, ...rest }) => rest);
    const predictions = predictionRows.filter((p) => p.id !== 't10');
    const run = await runStage(stage, {}, await inputs({ test, predictions }));
    const md = readFileSync(join(run.outputDir('report'), 'error-analysis.md'), 'utf8');
    expect(md).toContain('| # | id | Start of text | true |');
    expect(md).toContain('| 1 | t5 | e | fake | real | 0.9900 | News |');
    expect(md).toContain('Note: 1 test rows have no prediction and are not part of this analysis.');
    expect(md).toContain('Not checked: the test table has no column "title".');
    expect(run.result.metrics).toMatchObject({ examples: 9, unpredicted_test_rows: 1, leaked_titles: null });
    expect(run.events).toContainEqual({ type: 'log', level: 'warn', message: '1 of 10 test rows have no prediction; they are left out of the analysis' });
  });

  it('caps the per-subject and per-label tables at max_table_rows (LIAR has hundreds of subjects)', async () => {
    // 30 subjects, six classes: every row wrong, subject s0 has the most mistakes.
    const names = { '0': 'pants-fire', '1': 'false', '2': 'barely-true', '3': 'half-true', '4': 'mostly-true', '5': 'true' };
    const test = Array.from({ length: 60 }, (_, i) => ({ id: `x${i}`, text: `statement ${i}`, label: i % 6, subject: i < 31 ? 's0' : `s${i - 30}` }));
    const predictions = test.map((r) => ({ id: r.id, label: r.label, predicted: (r.label + 1 + (r.label % 2)) % 6, probabilities: [0.1, 0.1, 0.1, 0.1, 0.1, 0.5], confidence: 0.5 }));
    const liar = {
      predictions: await tableArtifact(predictions as never[], names),
      test: await tableArtifact(test as never[], names),
    };
    const capped = await runStage(stage, {}, liar);
    const md = readFileSync(join(capped.outputDir('report'), 'error-analysis.md'), 'utf8');
    const subjectSection = md.slice(md.indexOf('## Errors by subject'), md.indexOf('## Titles in both'));
    const subjectRows = subjectSection.split('\n').filter((line) => /^\| s\d+ \|/.test(line));
    expect(subjectRows).toHaveLength(20);
    expect(subjectRows[0]).toBe('| s0 | 31 | 31 | 100.00% |');
    expect(subjectSection).toContain('10 more subjects with fewer mistakes are not listed (`max_table_rows: 20`).');
    expect(md.split('\n').length).toBeLessThan(100);

    const small = await runStage(stage, { max_table_rows: 3 }, liar);
    const smallMd = readFileSync(join(small.outputDir('report'), 'error-analysis.md'), 'utf8');
    const pairSection = smallMd.slice(smallMd.indexOf('## Mistakes by label'), smallMd.indexOf('## Most confident'));
    expect(pairSection.split('\n').filter((line) => /^\| [a-z-]+ \| [a-z-]+ \| \d+ \|$/.test(line))).toHaveLength(3);
    expect(pairSection).toContain('3 more label pairs with fewer mistakes are not listed (`max_table_rows: 3`).');
    expect(smallMd).toContain('27 more subjects with fewer mistakes are not listed');
  });

  it('warns about a missing title column only when title_field names one', async () => {
    const test = testRows.map(({ title: _title, ...rest }) => rest);
    const train = trainRows.map(({ title: _title, ...rest }) => rest);
    const untitled = async () => ({
      predictions: await tableArtifact(predictionRows as never[], LABELS),
      test: await tableArtifact(test as never[], LABELS),
      train: await tableArtifact(train as never[], LABELS),
    });
    const quiet = await runStage(stage, {}, await untitled());
    expect(quiet.events.filter((e) => e.type === 'log' && e.level === 'warn')).toEqual([]);
    expect(readFileSync(join(quiet.outputDir('report'), 'error-analysis.md'), 'utf8')).toContain('Not checked: the test table has no column "title".');

    const asked = await runStage(stage, { title_field: 'headline' }, await untitled());
    expect(asked.events).toContainEqual({ type: 'log', level: 'warn', message: 'titles shared by train and test not checked: the test table has no column "headline"' });
  });

  it('takes the confidence from the probabilities when the column is missing', async () => {
    const predictions = predictionRows.map(({ confidence: _c, ...rest }) => rest);
    const run = await runStage(stage, {}, await inputs({ predictions }));
    expect(readJsonl(join(run.outputDir('report'), 'misclassified.jsonl')).map((m) => m.confidence)).toEqual([0.99, 0.99, 0.91, 0.75]);
  });

  it('refuses predictions that do not belong to the test split, with one clear message', async () => {
    const stray = [...predictionRows, { id: 'x1', label: 0, predicted: 0, probabilities: [1, 0], confidence: 1 }];
    await expect(runStage(stage, {}, await inputs({ predictions: stray }))).rejects.toThrow(
      'error-analysis: prediction for id x1 has no row in the test table: are "predictions" and "test" wired to the same split?',
    );
    const flipped = predictionRows.map((p) => (p.id === 't3' ? { ...p, label: 0 } : p));
    await expect(runStage(stage, {}, await inputs({ predictions: flipped }))).rejects.toThrow(
      'error-analysis: id t3: the predictions say true label 0 but the test table says 1; the inputs do not belong together',
    );
    const bad = predictionRows.map((p) => (p.id === 't4' ? { ...p, predicted: 'real' } : p));
    await expect(runStage(stage, {}, await inputs({ predictions: bad }))).rejects.toThrow(
      'error-analysis: predictions row 4 (id t4): "predicted" is "real", expected an integer label',
    );
    await expect(runStage(stage, {}, await inputs({ predictions: [] }))).rejects.toThrow('error-analysis: the predictions table has no rows');
  });
});

describe('analyzeErrors and truncateTitle', () => {
  it('orders mistakes by confidence, keeping input order on ties, and counts subjects', () => {
    const test = new Map(
      ['a', 'b', 'c', 'd'].map((id, i) => [id, { id, title: `T${i}`, subject: i < 2 ? 'x' : 'y' }] as const),
    );
    const p = (id: string, label: number, predicted: number, confidence: number) => ({ id, label, predicted, probabilities: [], confidence });
    const analysis = analyzeErrors({
      predictions: [p('a', 0, 1, 0.6), p('b', 1, 0, 0.9), p('c', 0, 1, 0.6), p('d', 0, 0, 0.99)],
      test,
      labelName: (l) => ['neg', 'pos'][l]!,
    });
    expect(analysis.misclassified.map((m) => m.id)).toEqual(['b', 'a', 'c']);
    expect(analysis.pairs).toEqual([
      { label: 'neg', predicted: 'pos', count: 2 },
      { label: 'pos', predicted: 'neg', count: 1 },
    ]);
    expect(analysis.subjects).toEqual([
      { subject: 'x', examples: 2, misclassified: 2, errorRate: 1 },
      { subject: 'y', examples: 2, misclassified: 1, errorRate: 0.5 },
    ]);
    expect(analysis.leakage).toBeUndefined();
  });

  it('cuts long titles at a word boundary and keeps short ones whole', () => {
    expect(truncateTitle('Short  title\n here', 40)).toBe('Short title here');
    expect(truncateTitle('one two three four five six', 15)).toBe('one two three…');
    expect(truncateTitle('Supercalifragilisticexpialidocious', 12)).toBe('Supercalifr…');
    expect(truncateTitle('Emoji 😀😀😀😀😀😀😀😀😀😀', 8)).toBe('Emoji…');
    expect(Array.from(truncateTitle('😀'.repeat(20), 10))).toHaveLength(10);
  });
});
