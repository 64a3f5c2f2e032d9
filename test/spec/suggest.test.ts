import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../../src/util/suggest.js';

describe('suggest', () => {
  it('finds the nearest plausible name', () => {
    expect(suggest('learning_rat', ['epochs', 'learning_rate', 'seed'])).toBe('learning_rate');
    expect(suggest('tabel', ['tokens', 'table'])).toBe('table');
    expect(suggest('lod', ['load', 'concat'])).toBe('load');
    expect(suggest('TRAIN', ['train'])).toBe('train');
    // Short names allow one edit; the earlier candidate wins a tie.
    expect(suggest('x', ['y', 'z'])).toBe('y');
  });

  it('stays quiet when nothing is close', () => {
    expect(suggest('optimizer', ['seed', 'epochs'])).toBeUndefined();
    expect(suggest('seed', [])).toBeUndefined();
    expect(suggest('seed', ['seed'])).toBeUndefined();
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('tabel', 'table')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
