/**
 * LIAR-shaped data written by the tests themselves: tab-separated, no header row, six string
 * labels, statements with stray double quotes, and a latin-1 byte (é written as 0xE9) in train.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LIAR_COLUMNS = ['id', 'label', 'statement', 'subject', 'speaker', 'context'];
export const LIAR_LABELS = ['pants-fire', 'false', 'barely-true', 'half-true', 'mostly-true', 'true'];
/** The six labels folded into two classes; several strings map to one class. */
export const LIAR_BINARY = {
  'pants-fire': 'false',
  false: 'false',
  'barely-true': 'false',
  'half-true': 'true',
  'mostly-true': 'true',
  true: 'true',
};

type Record6 = [string, string, string, string, string, string];

function row(id: number, label: string, statement: string, subject = 'economy', speaker = 'someone'): Record6 {
  return [`${id}.json`, label, statement, subject, speaker, 'a speech'];
}

export const LIAR_TRAIN: Record6[] = [
  row(2635, 'false', 'Says the "Annies List political group supports third-trimester abortions on demand.', 'abortion', 'dwayne-bohac'),
  row(10540, 'half-true', 'When did the decline of coal start? It started when natural gas took off.', 'energy', 'scott-surovell'),
  row(324, 'mostly-true', '"Hillary Clinton agrees with John McCain by voting to give George Bush the benefit of the doubt on Iran.', 'foreign-policy', 'barack-obama'),
  row(1123, 'false', 'Health care reform legislation is likely to mandate free sex change surgeries.', 'health-care', 'blog-posting'),
  row(9028, 'half-true', 'The economic turnaround started at the end of my term.', 'economy', 'charlie-crist'),
  row(12465, 'true', 'The Chicago Bears have had more starting quarterbacks in the last 10 years than the Packers.', 'education', 'robin-vos'),
  row(2342, 'barely-true', 'Jim Dunnam has not lived in the district he represents for years now.', 'candidates', 'republican-party-texas'),
  row(153, 'half-true', "I'm the only person on this stage who has worked actively against Jos\u00e9's tax plan.", 'ethics', 'barack-obama'),
  row(5602, 'pants-fire', 'Says GOP primary opponents "Glenn Grothman and Joe Leibham cast a compromise vote.', 'elections', 'duey-stroebel'),
  row(9741, 'mostly-true', 'For the first time in history, the share of the national popular vote fell.', 'elections', 'mitt-romney'),
  row(7115, 'true', 'Says when Obama took office the unemployment rate was 7.8 percent.', 'economy', 'mitt-romney'),
  row(4512, 'pants-fire', 'Obama sold 20 percent of our uranium to Russia.', 'energy', 'donald-trump'),
];

export const LIAR_VALID: Record6[] = [
  row(12134, 'barely-true', 'We have less Americans working now than in the 70s.', 'economy', 'vicky-hartzler'),
  row(238, 'pants-fire', 'When Obama was sworn into office, he DID NOT use the Holy Bible.', 'religion', 'chain-email'),
  row(7891, 'false', 'Says Having organizations parading as being social welfare organizations "is a crime.', 'campaign-finance', 'earl-blumenauer'),
  row(8169, 'half-true', 'Says nearly half of Oregonians have zero access to dental care.', 'health-care', 'jim-francesconi'),
  row(929, 'mostly-true', 'On lifting the U.S. Cuban embargo and allowing travel to Cuba.', 'foreign-policy', 'barack-obama'),
  row(9416, 'true', 'Russia is the largest oil producer in the world.', 'energy', 'someone'),
];

export const LIAR_TEST: Record6[] = [
  row(11972, 'true', 'Building a wall on the U.S.-Mexico border will take literally years.', 'immigration', 'rick-perry'),
  row(11685, 'false', 'Wisconsin is on pace to double the number of layoffs this year.', 'jobs', 'katrina-shankland'),
  row(11096, 'false', 'Says John McCain has done nothing to help the vets.', 'military', 'donald-trump'),
  row(5209, 'half-true', 'Suzanne Bonamici supports a plan that will cut choice for Medicare.', 'medicare', 'carolyn-maloney'),
  row(9524, 'pants-fire', 'When asked by a reporter whether hes at the center of a "criminal scheme.', 'candidates', 'ted-nugent'),
  row(5962, 'barely-true', 'Over the past five years the federal government has paid out $601 million.', 'economy', 'hogan'),
];

/** Tab-separated lines, LF line ends, no header; `latin1` writes each character as one byte. */
export function tsv(rows: Record6[]): string {
  return rows.map((r) => r.join('\t')).join('\n') + '\n';
}

/** Writes train.tsv (latin-1: holds the byte 0xE9), valid.tsv and test.tsv; returns the folder. */
export function writeLiar(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-liar-'));
  writeFileSync(join(dir, 'train.tsv'), Buffer.from(tsv(LIAR_TRAIN), 'latin1'));
  writeFileSync(join(dir, 'valid.tsv'), Buffer.from(tsv(LIAR_VALID), 'latin1'));
  writeFileSync(join(dir, 'test.tsv'), Buffer.from(tsv(LIAR_TEST), 'latin1'));
  return dir;
}
