import { describe, expect, it } from 'vitest';
import { formatBytes, formatDelta, formatDuration, formatNumber, formatTimestamp, formatValue } from '../../src/format/number.js';
import { keyValueLines, markdownTable, textTable } from '../../src/format/table.js';

describe('number formatting', () => {
  it('keeps at most 6 significant digits and drops trailing zeros', () => {
    expect(formatNumber(0.912345678)).toBe('0.912346');
    expect(formatNumber(0.9)).toBe('0.9');
    expect(formatNumber(12.5)).toBe('12.5');
    expect(formatNumber(123456.7)).toBe('123457');
    expect(formatNumber(999999.7)).toBe('1e+06');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.93 - 0.91)).toBe('0.02');
  });

  it('uses exponents as Python\'s %g does: below 1e-4 and from 6 digits up', () => {
    expect(formatNumber(3e-5)).toBe('3e-05');
    expect(formatNumber(-2.5e-5)).toBe('-2.5e-05');
    expect(formatNumber(1e-4)).toBe('0.0001');
    expect(formatNumber(5e-4)).toBe('0.0005');
    expect(formatNumber(1234567.89)).toBe('1.23457e+06');
    expect(formatNumber(1.5e-300)).toBe('1.5e-300');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });

  it('rounds to fewer digits on request, and keeps every digit with exact', () => {
    expect(formatNumber(4.9375e-5, { significant: 2 })).toBe('4.9e-05');
    expect(formatNumber(0.123456789, { significant: 3 })).toBe('0.123');
    expect(formatNumber(0.123456789, { exact: true })).toBe('0.123456789');
    expect(formatNumber(1.2345678901e-7, { exact: true })).toBe('1.2345678901e-07');
    // Two values that differ never print alike in exact mode.
    expect(formatNumber(0.1234567, { exact: true })).not.toBe(formatNumber(0.1234568, { exact: true }));
  });

  it('always shows the sign of a delta', () => {
    expect(formatDelta(0.0625)).toBe('+0.0625');
    expect(formatDelta(-0.25)).toBe('-0.25');
    expect(formatDelta(0)).toBe('0');
    expect(formatDelta(2e-5)).toBe('+2e-05');
  });

  it('formats values, durations, times and sizes', () => {
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue([0.7, 0.15, 0.15])).toBe('0.7, 0.15, 0.15');
    expect(formatValue(['id', 'title'])).toBe('id, title');
    expect(formatValue([])).toBe('(none)');
    expect(formatValue({ train: 0.7, test: 0.3 })).toBe('train: 0.7, test: 0.3');
    expect(formatValue([{ path: 'a.csv' }])).toBe('[1 items]');
    expect(formatValue(Array.from({ length: 30 }, (_, i) => i))).toBe('[30 items]');
    expect(formatValue(true)).toBe('true');
    expect(formatDuration(12)).toBe('12 ms');
    expect(formatDuration(12345)).toBe('12.3 s');
    expect(formatDuration(185000)).toBe('3 min 05 s');
    expect(formatDuration(3723000)).toBe('1 h 02 min');
    expect(formatTimestamp('2026-11-27T03:35:12.123Z')).toBe('2026-11-27 03:35:12');
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
  });
});

describe('tables', () => {
  const columns = ['name', { header: 'value', align: 'right' as const }];
  const rows = [
    ['accuracy', '0.9'],
    ['a|b', '—'],
  ];

  it('aligns text columns, right-aligning numbers, without trailing spaces', () => {
    expect(textTable(columns, rows)).toBe(['name      value', '--------  -----', 'accuracy    0.9', 'a|b           —'].join('\n'));
    expect(textTable(['x'], [['multi\nline']], { indent: '  ' })).toBe(['  x', '  ----------', '  multi line'].join('\n'));
  });

  it('writes Markdown with escaped pipes and alignment markers', () => {
    expect(markdownTable(columns, rows)).toBe(['| name | value |', '| --- | ---: |', '| accuracy | 0.9 |', '| a\\|b | — |'].join('\n'));
  });

  it('aligns key/value lines', () => {
    expect(keyValueLines([['id', 'x'], ['status', 'completed']])).toBe('id      x\nstatus  completed');
  });
});

describe('per-cell alignment', () => {
  it('right-aligns number cells and left-aligns text cells in one column', async () => {
    const { valueCell } = await import('../../src/format/number.js');
    const table = textTable(['metric', { header: 'value', align: 'right' }], [
      ['rows', valueCell(4000)],
      ['columns', valueCell(['id', 'title'])],
      ['f1', valueCell(0.5)],
    ]);
    expect(table.split('\n')).toEqual([
      `metric${' '.repeat(7)}value`,
      '-------  ---------',
      `rows${' '.repeat(10)}4000`,
      'columns  id, title',
      `f1${' '.repeat(13)}0.5`,
    ]);
  });
});
