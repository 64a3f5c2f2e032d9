/**
 * Draws the ISOT sample shipped in data/isot-sample/ from the project's ISOT subset: N records
 * of each file at random (seeded), stratified by subject, each copied byte for byte and kept in
 * file order, gzip-compressed. Prints what it drew, per subject.
 *
 *   node --import tsx scripts/draw-isot-sample.ts [--from DIR] [--per-file N] [--seed S] [--out DIR]
 *
 * Defaults: --from ../shared/data/isot (else /work/shared/data/isot), --per-file 2000,
 * --seed 2026, --out data/isot-sample. The rows not drawn are what bench/demo-holdout.ts scores
 * the demo's model on.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openCsv } from '../src/text/csv.js';
import { drawSample } from '../src/loading/sample.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

export function isotSubsetDir(): string {
  const given = option('from', '');
  if (given) return given;
  const found = [join(root, '../shared/data/isot'), '/work/shared/data/isot'].find((dir) => existsSync(join(dir, 'Fake.csv')));
  if (!found) throw new Error('no ISOT subset found: pass --from DIR (a folder with Fake.csv and True.csv)');
  return found;
}

/** The records of a CSV file: the line each starts on, its fields by column, and its exact text. */
export async function readRecords(path: string): Promise<{ header: string; records: Array<{ line: number; values: Record<string, string>; raw: string }> }> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const csv = await openCsv(path);
  const parsed: Array<{ line: number; values: Record<string, string> }> = [];
  for await (const event of csv.rows) {
    if (event.type === 'malformed') throw new Error(`${path}:${event.line}: ${event.message}`);
    parsed.push({ line: event.line, values: event.values });
  }
  const end = lines.at(-1) === '' ? lines.length - 1 : lines.length;
  const records = parsed.map((record, i) => {
    const next = i + 1 < parsed.length ? parsed[i + 1]!.line : end + 1;
    return { ...record, raw: lines.slice(record.line - 1, next - 1).join('\n') + '\n' };
  });
  const header = lines[csv.headerLine - 1]! + '\n';
  // The slices must add up to the file: each record is copied byte for byte.
  if (header + records.map((r) => r.raw).join('') !== readFileSync(path, 'utf8')) throw new Error(`${path}: records do not tile the file (blank lines or a header not on line 1?)`);
  return { header, records };
}

async function main(): Promise<void> {
  const from = isotSubsetDir();
  const perFile = Number(option('per-file', '2000'));
  const seed = Number(option('seed', '2026'));
  const out = option('out', join(root, 'data/isot-sample'));
  mkdirSync(out, { recursive: true });
  for (const name of ['Fake.csv', 'True.csv']) {
    const { header, records } = await readRecords(join(from, name));
    const drawn = drawSample(records.length, (i) => records[i]!.values.subject ?? '', { n: perFile, seed, stratify_by: ['subject'] }, name);
    const bySubject = new Map<string, [number, number]>();
    for (const record of records) {
      const counts = bySubject.get(record.values.subject ?? '') ?? [0, 0];
      counts[1]++;
      bySubject.set(record.values.subject ?? '', counts);
    }
    for (const i of drawn) bySubject.get(records[i]!.values.subject ?? '')![0]++;
    const text = header + drawn.map((i) => records[i]!.raw).join('');
    writeFileSync(join(out, `${name}.gz`), gzipSync(Buffer.from(text, 'utf8'), { level: 9 }));
    const subjects = [...bySubject.entries()].sort((a, b) => b[1][1] - a[1][1]).map(([subject, [n, of]]) => `${subject} ${n}/${of}`);
    console.log(`${name}: ${drawn.length} of ${records.length} records (seed ${seed}); by subject: ${subjects.join(', ')}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
