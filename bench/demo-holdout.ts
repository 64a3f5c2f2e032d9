/**
 * What the demo's model is worth on articles it never saw: it classifies every ISOT article of
 * the project's subset (../shared/data/isot) that is NOT in the shipped sample (data/isot-sample),
 * with the model's own recorded preparation (cleaning, title + text), and prints the accuracy,
 * next to the demo's own test accuracy from the same run's metrics.json.
 *
 *   node --import tsx bench/demo-holdout.ts [RUN_DIR]     # default: the newest runs/*demo*
 *
 * The two figures should agree: a test accuracy far above the held-out one means the demo's
 * sample does not represent the dataset.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCsv } from '../src/text/csv.js';
import { initBackend } from '../src/nn/backend/index.js';
import { loadPredictor } from '../src/predict/predictor.js';
import { isotSubsetDir, readRecords } from '../scripts/draw-isot-sample.js';

const root = join(import.meta.dirname, '..');

function runDir(): string {
  const given = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  if (given) return given;
  const runs = join(root, 'runs');
  const demo = readdirSync(runs).filter((name) => name.includes('demo') && existsSync(join(runs, name, 'model', 'config.json'))).sort();
  if (demo.length === 0) throw new Error('no demo run with a model in runs/: run `npx fnd run pipelines/demo.yaml` first, or pass a run folder');
  return join(runs, demo.at(-1)!);
}

const run = runDir();
const subset = isotSubsetDir();
const backend = await initBackend();
const predictor = await loadPredictor(join(run, 'model'));
const labelOfFile: Record<string, string> = { 'Fake.csv': 'fake', 'True.csv': 'real' };
let correct = 0;
let total = 0;
const bySubject = new Map<string, [number, number]>();
const byLabel = new Map<string, [number, number]>();
for (const name of ['Fake.csv', 'True.csv']) {
  const shipped = new Set<string>();
  for await (const event of (await openCsv(join(root, 'data/isot-sample', `${name}.gz`))).rows) {
    if (event.type === 'row') shipped.add(JSON.stringify(event.values));
  }
  const { records } = await readRecords(join(subset, name));
  // Shipped records are verbatim copies: equal fields mean the same article.
  const unseen = records.filter((record) => !shipped.has(JSON.stringify(record.values)));
  const predictions = await predictor.predict(unseen.map((r) => ({ title: r.values.title ?? '', text: r.values.text ?? '' })), { batchSize: 64 });
  predictions.forEach((prediction, i) => {
    const ok = prediction.label === labelOfFile[name] ? 1 : 0;
    correct += ok;
    total++;
    const subject = unseen[i]!.values.subject ?? '';
    for (const [map, key] of [[bySubject, subject], [byLabel, labelOfFile[name]!]] as const) {
      const counts = map.get(key) ?? [0, 0];
      counts[0] += ok;
      counts[1]++;
      map.set(key, counts);
    }
  });
  console.log(`${name}: ${unseen.length} of ${records.length} articles are not in the shipped sample`);
}
predictor.dispose();

const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
const testAccuracy = metrics.evaluate?.test?.accuracy;
const fmt = (counts: [number, number]): string => `${(counts[0] / counts[1]).toFixed(4)} (${counts[0]}/${counts[1]})`;
console.log(`run: ${run} (backend ${backend.name})`);
console.log(`labels the model uses: ${predictor.labels.join(', ')}`);
console.log(`held-out ISOT articles (subset minus shipped sample): accuracy ${fmt([correct, total])}`);
for (const [label, counts] of byLabel) console.log(`  ${label}: ${fmt(counts)}`);
for (const [subject, counts] of [...bySubject].sort((a, b) => b[1][1] - a[1][1])) console.log(`  subject ${subject}: ${fmt(counts)}`);
if (typeof testAccuracy === 'number') {
  console.log(`demo test accuracy (metrics.json): ${testAccuracy.toFixed(4)}; held-out − test = ${(correct / total - testAccuracy).toFixed(4)}`);
}
