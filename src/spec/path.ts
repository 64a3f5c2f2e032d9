/** Paths into a spec document, written the way --set writes them. */
import type { SpecPath } from './types.js';

/** ['stages', 'train', 'with', 'lr'] -> "stages.train.with.lr". */
export function formatPath(path: SpecPath): string {
  return path.map(String).join('.');
}

export function isPrefix(prefix: SpecPath, path: SpecPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value for messages: `string "abc"`, `number 3`, `list`, `map`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** `object[key] = value` as an own property, even for a key such as `__proto__` (YAML keys are data). */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
