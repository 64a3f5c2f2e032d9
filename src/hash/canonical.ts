import { createHash } from 'node:crypto';
import { FndError } from '../util/errors.js';

/**
 * Canonical JSON: the one byte string a value hashes as, so that two specs that mean the same
 * thing (keys in another order, an `undefined` left in an object) get the same signature.
 *
 * Rules: object keys sorted by UTF-16 code unit (what `Array.prototype.sort` does, stable across
 * platforms and locales), no whitespace, `undefined` properties dropped, numbers in JavaScript's
 * shortest round-trip form, -0 written as 0. Anything JSON cannot say exactly (NaN, Infinity,
 * bigint, functions, class instances, cycles, `undefined` inside arrays) is refused with an error
 * naming where it was, rather than silently turned into `null` as JSON.stringify would.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, '$', new Set());
}

/** sha256 of a string (as UTF-8) or bytes, as lower-case hex. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function encode(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new FndError(`cannot hash ${path}: ${String(value)} is not a finite number`);
      }
      // Object.is(-0, 0) is false; -0 and 0 mean the same parameter value.
      return value === 0 ? '0' : JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new FndError(`cannot hash ${path}: a ${typeof value} has no JSON form`);
  }
  const object = value as object;
  if (ancestors.has(object)) throw new FndError(`cannot hash ${path}: the value contains itself (a cycle)`);
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const parts = object.map((item: unknown, index) => {
        if (item === undefined) {
          throw new FndError(`cannot hash ${path}[${index}]: undefined inside an array has no JSON form`);
        }
        return encode(item, `${path}[${index}]`, ancestors);
      });
      return `[${parts.join(',')}]`;
    }
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (object as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new FndError(`cannot hash ${path}: a ${name} is not plain JSON data`);
    }
    const record = object as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    const parts: string[] = [];
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${encode(item, `${path}.${key}`, ancestors)}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}
