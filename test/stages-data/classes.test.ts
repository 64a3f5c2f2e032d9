import { describe, expect, it } from 'vitest';
import { agreeOnClassNames, classNamesConflict, hasRealNames } from '../../src/artifacts/classes.js';

describe('class names from one source', () => {
  it('lets placeholders (LABEL_0, or the id itself) give way to real names, and real names must match', () => {
    expect(hasRealNames({ '0': 'LABEL_0', '1': '1' })).toBe(false);
    expect(hasRealNames({ '0': 'fake', '1': 'LABEL_1' })).toBe(true);
    expect(classNamesConflict({ '0': 'LABEL_0', '1': 'LABEL_1' }, { '0': 'fake', '1': 'real' })).toBeUndefined();
    expect(classNamesConflict({ '0': '0', '1': '1' }, { '0': 'fake', '1': 'real' })).toBeUndefined();
    expect(classNamesConflict({ '0': 'real', '1': 'fake' }, { '0': 'fake', '1': 'real' })).toBe('class 0 is "real" in one and "fake" in the other');
    expect(classNamesConflict({ '0': 'a' }, { '0': 'a', '1': 'b' })).toBe('1 classes against 2');
    const sources = [
      { names: { '0': 'LABEL_0', '1': 'LABEL_1' }, what: 'the model' },
      { names: undefined, what: 'fnd.json' },
      { names: { '0': 'fake', '1': 'real' }, what: 'the data' },
    ];
    expect(agreeOnClassNames('evaluate', sources, 'fix it')).toEqual({ '0': 'fake', '1': 'real' });
    expect(agreeOnClassNames('evaluate', [{ names: undefined, what: 'x' }], 'fix it')).toBeUndefined();
    expect(() => agreeOnClassNames('save', [{ names: { '0': 'b', '1': 'a' }, what: 'the model' }, { names: { '0': 'a', '1': 'b' }, what: 'the data' }], 'fix it')).toThrow(
      'save: class names disagree (class 0 is "b" in one and "a" in the other): the model says {0 b, 1 a} but the data says {0 a, 1 b}; fix it',
    );
  });
});
