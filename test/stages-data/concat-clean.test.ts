import { describe, expect, it } from 'vitest';
import concat from '../../stages/concat-title-text/index.js';
import cleanText from '../../stages/clean-text/index.js';
import loadCsv from '../../stages/load-csv/index.js';
import { readTable } from '../../src/artifacts/table.js';
import { cleanText as clean } from '../../src/text/clean.js';
import { runStage, tableOf } from './run-stage.js';

describe('concat-title-text', () => {
  it('joins title and text like the notebook, missing parts as ""', async () => {
    const input = await tableOf(
      [
        { id: 'a:2', title: 'Headline', text: 'Body text.', label: 0 },
        { id: 'a:3', text: 'No title here.', label: 1 },
        { id: 'a:4', title: null, text: 'Null title.', label: 1 },
        { id: 'a:5', title: 'Only title', text: '', label: 0 },
        { id: 'a:6', title: 'T', text: null, label: 0, subject: 'News' },
      ],
      { '0': 'fake', '1': 'real' },
    );
    const { result, outputs } = await runStage(concat, {}, { table: input });
    const { info, rows } = await readTable(outputs.table!.path);
    expect(rows.map((r) => r.text)).toEqual(['Headline Body text.', ' No title here.', ' Null title.', 'Only title ', 'T ']);
    expect(rows[0]).toEqual({ id: 'a:2', title: 'Headline', text: 'Headline Body text.', label: 0 });
    expect(rows[4]!.subject).toBe('News');
    expect(info.labels).toEqual({ '0': 'fake', '1': 'real' });
    expect(result.metrics).toEqual({ rows: 5, missing_title: 2, missing_text: 1 });
  });

  it('honours field names and separator, and names a missing column', async () => {
    const input = await tableOf([{ id: 'x', headline: 'H', body: 'B' }]);
    const { outputs } = await runStage(concat, { title_field: 'headline', text_field: 'body', output_field: 'full', separator: ' | ' }, { table: input });
    expect((await readTable(outputs.table!.path)).rows).toEqual([{ id: 'x', headline: 'H', body: 'B', full: 'H | B' }]);
    await expect(runStage(concat, {}, { table: input })).rejects.toThrow('concat-title-text: the input table has no column "title" (columns: id, headline, body)');
  });
});

describe('clean-text', () => {
  it('removes each giveaway on known strings', () => {
    const all = ['reuters_dateline', 'reuters_mention', 'twitter', 'featured_image', 'urls'] as const;
    expect(clean('WASHINGTON (Reuters) - The head of a faction said.', all)).toEqual({ text: 'The head of a faction said.', changedBy: ['reuters_dateline'] });
    expect(clean('LONDON/BERLIN (Reuters) - Talks resumed.', all).text).toBe('Talks resumed.');
    expect(clean('GADSDEN, Ala. (Reuters) - Voters said.', all).text).toBe('Voters said.');
    expect(clean(' (Reuters) - No city.', all).text).toBe('No city.');
    expect(clean('He told (Reuters) that it was so.', all)).toEqual({ text: 'He told that it was so.', changedBy: ['reuters_mention'] });
    expect(clean('Read this pic.twitter.com/AbC123 now — Donald J. Trump (@realDonaldTrump) May 1, 2017 and @CNN too, mail a@b.com', all)).toEqual({
      text: 'Read this  now — Donald J. Trump May 1, 2017 and  too, mail a@b.com',
      changedBy: ['twitter'],
    });
    expect(clean('The end of the story.Featured image via Getty Images', all)).toEqual({ text: 'The end of the story.', changedBy: ['featured_image'] });
    expect(clean('Story. Featured Image: Screenshot', all).text).toBe('Story.');
    expect(clean('See https://t.co/xyz?a=1 and www.example.com/page for more.', all)).toEqual({ text: 'See  and  for more.', changedBy: ['urls'] });
    expect(clean('Plain text stays.', all)).toEqual({ text: 'Plain text stays.', changedBy: [] });
    expect(clean('  a \n b  ', ['whitespace']).text).toBe('a b');
    // Only the rules asked for apply.
    expect(clean('WASHINGTON (Reuters) - Hi via @x', ['twitter']).text).toBe('WASHINGTON (Reuters) - Hi via ');
  });

  it('counts rows changed per rule on the isot-mini fixture', async () => {
    const loaded = await runStage(loadCsv, { files: [{ path: 'Fake.csv', label: 0 }, { path: 'True.csv', label: 1 }] });
    const { result, outputs } = await runStage(cleanText, {}, { table: loaded.outputs.table! });
    const { rows } = await readTable(outputs.table!.path);
    expect(rows).toHaveLength(60);
    expect(rows.filter((r) => String(r.text).includes('(Reuters)'))).toHaveLength(0);
    expect(rows.filter((r) => /Featured image/i.test(String(r.text)))).toHaveLength(0);
    expect(String(rows[30]!.text).startsWith('The head of a conservative Republican faction')).toBe(true);
    expect(result.metrics).toEqual({
      rows: 60,
      // Counted independently with plain regexes over the fixture's CSV text.
      rows_changed: 54,
      rows_changed_by_rule: { reuters_dateline: 25, reuters_mention: 1, twitter: 19, featured_image: 18, urls: 5 },
      rows_not_text: 0,
    });
  });

  it('rejects an unknown rule and names a missing column', async () => {
    const input = await tableOf([{ id: 'x', body: 'WASHINGTON (Reuters) - B' }]);
    await expect(runStage(cleanText, { rules: ['nope'] }, { table: input })).rejects.toThrow(/params rejected/);
    await expect(runStage(cleanText, {}, { table: input })).rejects.toThrow('clean-text: the input table has no column "text" (columns: id, body)');
    const { result } = await runStage(cleanText, { field: 'body', rules: ['reuters_dateline'] }, { table: input });
    expect(result.metrics).toEqual({ rows: 1, rows_changed: 1, rows_changed_by_rule: { reuters_dateline: 1 }, rows_not_text: 0 });
  });
});
