import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../../src/hash/canonical.js';
import { FndError } from '../../src/util/errors.js';

describe('canonicalJson', () => {
  it('sorts keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text whatever order keys were inserted in', () => {
    const one = { lr: 5e-5, model: { layers: 4, hidden: 312 }, files: ['a', 'b'] };
    const two = { files: ['a', 'b'], model: { hidden: 312, layers: 4 }, lr: 5e-5 };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('keeps array order', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined properties at every depth', () => {
    expect(canonicalJson({ a: undefined, b: { c: undefined, d: null } })).toBe('{"b":{"d":null}}');
  });

  it('writes numbers in shortest form and -0 as 0', () => {
    expect(canonicalJson([0.1, 5e-5, 1e21, 3, -0, 0, -2.5])).toBe('[0.1,0.00005,1e+21,3,0,0,-2.5]');
  });

  it('escapes strings as JSON does and sorts keys by code unit', () => {
    expect(canonicalJson({ 'é': 1, Z: 2, a: 'line\n"q"' })).toBe('{"Z":2,"a":"line\\n\\"q\\"","é":1}');
  });

  it.each([
    [{ a: Number.NaN }, /\$\.a: NaN is not a finite number/],
    [{ a: [1, Number.POSITIVE_INFINITY] }, /\$\.a\[1\]: Infinity/],
    [[1, undefined], /undefined inside an array/],
    [{ when: new Date(0) }, /\$\.when: a Date is not plain JSON data/],
    [{ n: 10n }, /bigint has no JSON form/],
    [{ f: () => 1 }, /function has no JSON form/],
  ])('refuses %o with a clear error', (value, message) => {
    expect(() => canonicalJson(value)).toThrow(FndError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('refuses cycles but allows the same object twice', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });

  it('accepts null-prototype objects', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 1;
    expect(canonicalJson(bare)).toBe('{"k":1}');
  });
});

describe('sha256', () => {
  it('matches the FIPS test vector for strings and bytes', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256('abc')).toBe(abc);
    expect(sha256(new Uint8Array([0x61, 0x62, 0x63]))).toBe(abc);
  });
});
