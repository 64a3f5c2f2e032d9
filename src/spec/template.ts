/**
 * `${{ vars.x }}`, `${{ seed }}` and `${{ name }}` in string values. A string that is exactly one
 * expression takes the value itself (a number stays a number, a map stays a map); expressions
 * inside longer strings are interpolated as text. Variables may refer to other variables;
 * a loop among them is an error. The `matrix` block is left as written. Inside a stage with
 * `foreach`, `${{ item }}` and `${{ key }}` are left for the foreach expansion (foreach.ts).
 */
import { FndError, type SourceLocation } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { formatPath, isPlainObject, setOwn } from './path.js';
import type { SpecPath } from './types.js';

export const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;
export const WHOLE_EXPRESSION = /^\$\{\{\s*([^}]*?)\s*\}\}$/;
export const REFERENCE = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const DEFAULT_SEED = 42;

type Locate = (path: SpecPath, options?: { part?: 'key' | 'value' }) => SourceLocation;

/** Thrown inside resolution when the cause was already reported elsewhere (a broken variable). */
class AlreadyReported extends Error {}

/** The names a foreach stage's body may use; templating leaves them for the expansion. */
export const FOREACH_NAMES = ['item', 'key'];
const DEFERRED = Symbol('deferred to the foreach expansion');

export function applyTemplates(
  document: Record<string, unknown>,
  locate: Locate,
): { value: Record<string, unknown>; errors: FndError[] } {
  const errors: FndError[] = [];
  const vars = isPlainObject(document.vars) ? document.vars : {};
  const resolvedVars = new Map<string, { ok: true; value: unknown } | { ok: false }>();
  const stages = isPlainObject(document.stages) ? document.stages : {};
  const inForeachBody = (path: SpecPath) =>
    path[0] === 'stages' && path.length > 2 && path[2] !== 'foreach' && isPlainObject(stages[String(path[1])]) && Object.hasOwn(stages[String(path[1])] as object, 'foreach');

  const error = (path: SpecPath, message: string): FndError =>
    new FndError(`${formatPath(path)}: ${message}`, { location: locate(path, { part: 'value' }), exitCode: 2 });

  /** A top-level variable (or seed/name), templated once; `stack` catches variables that refer to each other. */
  const resolveRoot = (key: string, stack: string[], from: SpecPath): unknown => {
    if (stack.includes(key)) {
      throw error(from, `variables refer to each other in a cycle: ${[...stack.slice(stack.indexOf(key)), key].join(' -> ')}`);
    }
    const known = resolvedVars.get(key);
    if (known) {
      if (!known.ok) throw new AlreadyReported();
      return known.value;
    }
    const rootPath: SpecPath = key.startsWith('vars.') ? ['vars', key.slice(5)] : [key];
    const raw = key.startsWith('vars.') ? vars[key.slice(5)] : key === 'seed' ? (document.seed ?? DEFAULT_SEED) : document.name;
    const before = errors.length;
    const value = templateValue(raw, rootPath, [...stack, key]);
    const ok = errors.length === before;
    resolvedVars.set(key, ok ? { ok, value } : { ok });
    if (!ok) throw new AlreadyReported();
    return value;
  };

  const evaluate = (expression: string, path: SpecPath, stack: string[]): unknown => {
    if (!REFERENCE.test(expression)) {
      throw error(path, `unsupported expression "\${{ ${expression} }}": use \${{ vars.NAME }}, \${{ seed }} or \${{ name }}`);
    }
    const [head, ...rest] = expression.split('.') as [string, ...string[]];
    if (FOREACH_NAMES.includes(head)) {
      if (inForeachBody(path)) return DEFERRED;
      throw error(path, `"\${{ ${expression} }}" is only defined in a stage with foreach (one part per item)`);
    }
    const rootNames = [...Object.keys(vars).map((k) => `vars.${k}`), 'seed', 'name'];
    let value: unknown;
    let walked: string;
    if (head === 'vars' && rest.length > 0) {
      const name = rest.shift()!;
      walked = `vars.${name}`;
      if (!(name in vars)) throw error(path, `unknown variable "${walked}"${didYouMean(walked, rootNames)}`);
      value = resolveRoot(walked, stack, path);
    } else if ((head === 'seed' || head === 'name') && rest.length === 0) {
      if (head === 'name' && document.name === undefined) throw error(path, 'the spec has no name to substitute for ${{ name }}');
      walked = head;
      value = resolveRoot(head, stack, path);
    } else {
      throw error(path, `unknown variable "${expression}"${didYouMean(expression, rootNames)}`);
    }
    for (const segment of rest) {
      const next = `${walked}.${segment}`;
      if (isPlainObject(value) && segment in value) value = value[segment];
      else if (Array.isArray(value) && /^\d+$/.test(segment) && Number(segment) < value.length) value = value[Number(segment)];
      else {
        const keys = isPlainObject(value) ? Object.keys(value).map((k) => `${walked}.${k}`) : [];
        throw error(path, `unknown variable "${next}"${didYouMean(next, keys)}`);
      }
      walked = next;
    }
    return value;
  };

  const templateString = (text: string, path: SpecPath, stack: string[]): unknown => {
    const whole = WHOLE_EXPRESSION.exec(text);
    if (whole) {
      const value = evaluate(whole[1]!, path, stack);
      return value === DEFERRED ? text : value;
    }
    return text.replace(EXPRESSION, (match, expression: string) => {
      const value = evaluate(expression, path, stack);
      return value === DEFERRED ? match : asText(value);
    });
  };

  const templateValue = (value: unknown, path: SpecPath, stack: string[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${{')) return value;
      try {
        return templateString(value, path, stack);
      } catch (caught) {
        if (caught instanceof FndError) errors.push(caught);
        else if (!(caught instanceof AlreadyReported)) throw caught;
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => templateValue(item, [...path, i], stack));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const itemPath = [...path, key];
        if (path.length === 0 && key === 'matrix') setOwn(out, key, item);
        else if (path.length === 1 && path[0] === 'vars') setOwn(out, key, resolveRootQuietly(`vars.${key}`, item));
        else setOwn(out, key, templateValue(item, itemPath, stack));
      }
      return out;
    }
    return value;
  };

  /** Top-level variables are resolved through the memo so their errors are reported once. */
  const resolveRootQuietly = (key: string, raw: unknown): unknown => {
    try {
      return resolveRoot(key, [], ['vars', key.slice(5)]);
    } catch (caught) {
      if (caught instanceof FndError) errors.push(caught);
      else if (!(caught instanceof AlreadyReported)) throw caught;
      return raw;
    }
  };

  const value = templateValue(document, [], []) as Record<string, unknown>;
  return { value, errors };
}

export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
