import { describe, expect, it } from 'vitest';
import { newRunId, sanitizeSpecName } from '../../src/runs/id.js';

describe('newRunId', () => {
  it('formats UTC time to the millisecond and names the spec', () => {
    expect(newRunId('demo', new Date(Date.UTC(2026, 10, 27, 3, 35, 12, 123)))).toBe('20261127-033512-123-demo');
    expect(newRunId('demo', new Date(Date.UTC(2027, 0, 2, 0, 0, 0, 5)))).toBe('20270102-000000-005-demo');
  });

  it('sorts as strings in time order, whatever the spec names', () => {
    const times = [
      Date.UTC(2026, 0, 1, 0, 0, 0, 0),
      Date.UTC(2026, 0, 1, 0, 0, 0, 1),
      Date.UTC(2026, 0, 1, 0, 0, 1, 0),
      Date.UTC(2026, 0, 1, 9, 59, 59, 999),
      Date.UTC(2026, 0, 1, 10, 0, 0, 0),
      Date.UTC(2026, 8, 30, 23, 59, 59, 999),
      Date.UTC(2026, 9, 1, 0, 0, 0, 0),
      Date.UTC(2027, 0, 1, 0, 0, 0, 0),
    ];
    const names = ['zeta', 'alpha', 'm', 'b', 'a', 'zz', 'a', '0'];
    const ids = times.map((time, i) => newRunId(names[i]!, new Date(time)));
    expect([...ids].sort()).toEqual(ids);
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('sanitises the spec name to [a-z0-9-]', () => {
    expect(sanitizeSpecName('TinyBERT ISOT_v2.yaml')).toBe('tinybert-isot-v2-yaml');
    expect(sanitizeSpecName('--Ünïcode!!--')).toBe('n-code');
    expect(sanitizeSpecName('***')).toBe('run');
    expect(sanitizeSpecName('a'.repeat(100))).toHaveLength(48);
    expect(newRunId('My Spec', new Date(0))).toBe('19700101-000000-000-my-spec');
  });
});
