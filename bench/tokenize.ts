/**
 * Texts per second of our tokenizer against Hugging Face's Rust `tokenizers` (the oracle), on
 * ISOT articles (`title + " " + text`), max_length 512 with truncation, one thread each.
 *
 *   node --import tsx bench/tokenize.ts [--limit N]
 *
 * Rust's `encode` is async (it runs on the libuv pool); calling it one text at a time keeps
 * it on one thread, and RAYON_NUM_THREADS=1 stops its batch paths from fanning out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import tokenizers from 'tokenizers';
import { loadTokenizer } from '../src/text/tokenizer.js';

process.env.RAYON_NUM_THREADS = '1';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const limitArg = process.argv.indexOf('--limit');
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : 3000;

function readCsv(path: string): Array<Record<string, string>> {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
}

function loadTexts(): { texts: string[]; from: string } {
  const candidates = [join(root, '../shared/data/isot'), '/work/shared/data/isot', join(root, 'data/isot-sample')];
  for (const dir of candidates) {
    const files = ['Fake.csv', 'True.csv', 'Fake.csv.gz', 'True.csv.gz'].map((f) => join(dir, f)).filter(existsSync);
    if (files.length === 0) continue;
    const texts = files.flatMap((file) => readCsv(file).map((row) => `${row.title ?? ''} ${row.text ?? ''}`));
    return { texts, from: dir };
  }
  throw new Error('no ISOT data found (looked in ../shared/data/isot and data/isot-sample)');
}

const vocabPath = join(root, 'test/fixtures/vocab/vocab.txt');
const { texts: all, from } = loadTexts();
// Interleave fake and real so any limit has both kinds of text.
const texts = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / limit)) === 0).slice(0, limit);
const chars = texts.reduce((sum, t) => sum + t.length, 0);
console.log(`${texts.length} ISOT texts from ${from}, ${(chars / texts.length).toFixed(0)} chars on average`);

const ours = await loadTokenizer(vocabPath);
const rust = tokenizers.Tokenizer.fromString(readFileSync(join(root, 'test/fixtures/tokenizer/bert-base-uncased-tokenizer.json'), 'utf8'));
rust.setTruncation(512);

async function timeIt(name: string, run: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const rate = texts.length / seconds;
  console.log(`${name.padEnd(44)} ${rate.toFixed(0).padStart(7)} texts/s  (${(seconds * 1000).toFixed(0)} ms)`);
  return rate;
}

// First pass of each is cold (our word cache empty, JIT cold); the second is steady state.
const oursCold = await timeIt('ours (@huggingface/tokenizers), cold', () => {
  for (const text of texts) ours.encode(text, { maxLength: 512 });
});
const rustCold = await timeIt('rust tokenizers, cold', async () => {
  for (const text of texts) await rust.encode(text);
});
const oursWarm = await timeIt('ours, warm', () => {
  for (const text of texts) ours.encode(text, { maxLength: 512 });
});
const rustWarm = await timeIt('rust, warm', async () => {
  for (const text of texts) await rust.encode(text);
});
// A fresh tokenizer on the warm JIT: what one stage run sees.
const fresh = await loadTokenizer(vocabPath);
const oursFresh = await timeIt('ours, fresh word cache, warm JIT', () => {
  for (const text of texts) fresh.encode(text, { maxLength: 512 });
});

let mismatches = 0;
for (const text of texts.slice(0, 500)) {
  const a = ours.encode(text, { maxLength: 512 }).inputIds;
  const b = (await rust.encode(text)).getIds();
  if (a.length !== b.length || a.some((id, i) => id !== b[i])) mismatches++;
}
console.log(`ratio ours/rust: cold ${(oursCold / rustCold).toFixed(2)}x, warm ${(oursWarm / rustWarm).toFixed(2)}x, fresh cache ${(oursFresh / rustWarm).toFixed(2)}x (target >= 0.5x)`);
console.log(`identical ids on ${500 - mismatches} of ${Math.min(500, texts.length)} texts checked`);
