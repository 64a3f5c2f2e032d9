/**
 * Turns ajv errors into one located FndError each, in the words a spec author uses:
 * `stages.train.with.learning_rat: unknown param "learning_rat" of plugin "train"; did you mean "learning_rate"?`
 */
import type { ErrorObject } from 'ajv';
import { FndError, type SourceLocation } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { describeValue, formatPath, isPlainObject } from './path.js';
import type { SpecPath } from './types.js';

export interface AjvErrorContext {
  /** Path of the validated value inside the spec document, e.g. ['stages', 'train', 'with']. */
  basePath: SpecPath;
  locate(path: SpecPath, options?: { part?: 'key' | 'value' }): SourceLocation;
  /** Words for an unknown key found at `parentPath`, e.g. `unknown param "x" of plugin "train"`. */
  unknownKey(parentPath: SpecPath, key: string): string;
  /** Words for a missing required key, e.g. `missing required param "x" of plugin "train"`. */
  missingKey(parentPath: SpecPath, key: string): string;
  /** Words for a key whose name is not allowed (propertyNames), e.g. `invalid stage id "A"`. */
  badKeyName?(parentPath: SpecPath, key: string): string;
  /** True for a key whose name is fine although the schema's pattern refuses it (a foreach part's id). */
  allowedKeyName?(parentPath: SpecPath, key: string): boolean;
  /** The path as the author wrote it, for messages (a foreach part's paths are its stage's). */
  writtenPath?(path: SpecPath): SpecPath;
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatAjvErrors(errors: readonly ErrorObject[], context: AjvErrorContext): FndError[] {
  const result: FndError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const formatted = formatOne(error, context);
    if (!formatted || seen.has(formatted.message)) continue;
    seen.add(formatted.message);
    result.push(formatted);
  }
  return result;
}

function formatOne(error: ErrorObject, context: AjvErrorContext): FndError | undefined {
  const { basePath, locate } = context;
  const path: SpecPath = [...basePath, ...pointerToPath(error.instancePath)];
  const where = (p: SpecPath): string => (p.length ? formatPath(context.writtenPath?.(p) ?? p) : 'spec');
  const located = (message: string, p: SpecPath, part: 'key' | 'value') =>
    new FndError(message, { location: locate(p, { part }), exitCode: 2 });
  const params = error.params as Record<string, unknown>;

  // propertyNames reports the failing name twice: once with the sub-keyword, once as a summary.
  if (error.keyword === 'propertyNames') return undefined;
  if (error.propertyName !== undefined && context.allowedKeyName?.(path, error.propertyName)) return undefined;
  if (error.propertyName !== undefined) {
    const keyPath = [...path, error.propertyName];
    const words = context.badKeyName?.(path, error.propertyName) ?? `invalid key "${error.propertyName}"`;
    return located(`${where(keyPath)}: ${words}: ${error.message ?? 'is not allowed'}`, keyPath, 'key');
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const keyPath = [...path, key];
      const properties = isPlainObject(error.parentSchema) && isPlainObject(error.parentSchema.properties)
        ? Object.keys(error.parentSchema.properties)
        : [];
      return located(`${where(keyPath)}: ${context.unknownKey(path, key)}${didYouMean(key, properties)}`, keyPath, 'key');
    }
    case 'required':
      return located(`${where(path)}: ${context.missingKey(path, String(params.missingProperty))}`, path, 'key');
    case 'type':
      return located(`${where(path)}: must be ${String(params.type)}, got ${describeValue(error.data)}`, path, 'value');
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed.map(String)) : '';
      const list = allowed.map((v) => JSON.stringify(v)).join(', ');
      return located(`${where(path)}: must be one of ${list}, got ${describeValue(error.data)}${hint}`, path, 'value');
    }
    case 'const':
      return located(`${where(path)}: must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(error.data)}`, path, 'value');
    default: {
      const got = isPlainObject(error.data) || Array.isArray(error.data) ? '' : `, got ${describeValue(error.data)}`;
      return located(`${where(path)}: ${error.message ?? `fails "${error.keyword}"`}${got}`, path, 'value');
    }
  }
}
