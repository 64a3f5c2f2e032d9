import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../../src/hash/canonical.js';
import { formatNumber } from '../../src/format/number.js';
import { computeSignature, type SignatureDetails } from '../../src/hash/signature.js';
import { explainDifference } from '../../src/hash/explain.js';

function details(overrides: Partial<SignatureDetails> = {}): SignatureDetails {
  return {
    plugin: 'train',
    version: '1',
    code: 'c0de',
    params: { learning_rate: 5e-5, epochs: 3, files: [{ path: 'a', label: 0 }], optimizer: { betas: [0.9, 0.999] } },
    inputs: { table: 'aaa', model: 'bbb' },
    environment: { backend: 'cpu' },
    ...overrides,
  };
}

describe('computeSignature', () => {
  it('is sha256 of the canonical JSON of the details', () => {
    const d = details();
    expect(computeSignature(d).value).toBe(sha256(canonicalJson(d)));
  });

  it('is stable under key reordering at any depth', () => {
    const reordered: SignatureDetails = {
      environment: { backend: 'cpu' },
      inputs: { model: 'bbb', table: 'aaa' },
      params: { optimizer: { betas: [0.9, 0.999] }, files: [{ label: 0, path: 'a' }], epochs: 3, learning_rate: 5e-5 },
      code: 'c0de',
      version: '1',
      plugin: 'train',
    };
    expect(computeSignature(reordered).value).toBe(computeSignature(details()).value);
  });

  it('ignores undefined params and returns canonical details', () => {
    const withUndefined = details({ params: { ...details().params, unused: undefined } });
    const signature = computeSignature(withUndefined);
    expect(signature.value).toBe(computeSignature(details()).value);
    expect('unused' in signature.details.params).toBe(false);
  });

  it.each<[string, Partial<SignatureDetails>]>([
    ['plugin', { plugin: 'evaluate' }],
    ['version', { version: '2' }],
    ['code', { code: 'c0df' }],
    ['a param', { params: { ...details().params, learning_rate: 3e-5 } }],
    ['a nested param', { params: { ...details().params, optimizer: { betas: [0.9, 0.98] } } }],
    ['an input', { inputs: { table: 'aab', model: 'bbb' } }],
    ['an added input', { inputs: { table: 'aaa', model: 'bbb', extra: 'c' } }],
    ['the environment', { environment: { backend: 'wasm-blas' } }],
  ])('changes when %s changes', (_what, overrides) => {
    expect(computeSignature(details(overrides)).value).not.toBe(computeSignature(details()).value);
  });
});

describe('explainDifference', () => {
  const base = details();
  it.each<[string, Partial<SignatureDetails>, string]>([
    ['plugin', { plugin: 'evaluate' }, 'plugin changed: train → evaluate'],
    ['version', { version: '2' }, 'plugin version changed: 1 → 2'],
    ['code', { code: 'other' }, 'code of plugin "train" changed'],
    ['param', { params: { ...base.params, learning_rate: 3e-5 } }, 'param learning_rate changed: 5e-05 → 3e-05'],
    ['int param', { params: { ...base.params, epochs: 4 } }, 'param epochs changed: 3 → 4'],
    ['nested param', { params: { ...base.params, files: [{ path: 'b', label: 0 }] } }, 'param files[0].path changed: a → b'],
    ['nested array', { params: { ...base.params, optimizer: { betas: [0.9, 0.98] } } }, 'param optimizer.betas[1] changed: 0.999 → 0.98'],
    ['added param', { params: { ...base.params, seed: 7 } }, 'param seed added: 7'],
    ['removed param', { params: { epochs: 3, files: base.params.files, optimizer: base.params.optimizer } }, 'param learning_rate removed (was 5e-05)'],
    ['added list item', { params: { ...base.params, files: [{ path: 'a', label: 0 }, { path: 'c', label: 1 }] } }, 'param files[1] added: {"label":1,"path":"c"}'],
    ['type change', { params: { ...base.params, epochs: '3' } }, 'param epochs changed: 3 → "3"'],
    ['input', { inputs: { table: 'zzz', model: 'bbb' } }, 'input table changed'],
    ['added input', { inputs: { ...base.inputs, extra: 'x' } }, 'input extra added'],
    ['removed input', { inputs: { table: 'aaa' } }, 'input model removed'],
    ['backend', { environment: { backend: 'wasm-blas' } }, 'backend changed: cpu → wasm-blas'],
    ['backend added', { environment: {} }, 'backend changed: cpu → (none)'],
  ])('names a %s change', (_what, overrides, message) => {
    expect(explainDifference(base, details(overrides))).toBe(message);
  });

  it('says never run before without previous details', () => {
    expect(explainDifference(undefined, base)).toBe('never run before');
  });

  it('reports the cheapest difference first', () => {
    const everything = details({ version: '9', code: 'new', params: { epochs: 1 }, inputs: {}, environment: { backend: 'wasm' } });
    expect(explainDifference(base, everything)).toBe('plugin version changed: 1 → 9');
    expect(explainDifference(base, details({ params: { ...base.params, epochs: 9 }, inputs: {} }))).toBe('param epochs changed: 3 → 9');
  });

  it('says unchanged when the details are equal (key order aside)', () => {
    expect(explainDifference(base, JSON.parse(canonicalJson(base)) as SignatureDetails)).toBe('unchanged');
  });

  it('quotes odd keys and shortens long values', () => {
    const before = details({ params: { 'max length': 'x'.repeat(200) } });
    const after = details({ params: { 'max length': 'y' } });
    const message = explainDifference(before, after);
    expect(message.startsWith('param ["max length"] changed: xxx')).toBe(true);
    expect(message.endsWith('… → y')).toBe(true);
  });
});

describe('formatNumber', () => {
  it('prints floats as Python does where notebooks show them', () => {
    expect([5e-5, 3e-5, 1e-4, 0.001, 2e-10, 1.5e-7, 0, 3, 0.1, -5e-5].map((v) => formatNumber(v))).toEqual([
      '5e-05', '3e-05', '0.0001', '0.001', '2e-10', '1.5e-07', '0', '3', '0.1', '-5e-05',
    ]);
  });
});
