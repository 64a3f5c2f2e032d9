/**
 * `foreach`: one stage written once, expanded into one part per item before any stage exists
 * (as DVC's `foreach`). `tokenize-512: {uses: tokenize, foreach: [train, test], inputs: {table:
 * "split.${{ item }}"}}` becomes the stages `tokenize-512.train` and `tokenize-512.test`, each
 * cached on its own; other stages read them as `tokenize-512.train` (or `tokenize-512.train.PORT`).
 *
 * A list of plain values names each part by its value; a list of maps or lists by its index; a
 * map by its keys (`${{ key }}`), its values being the items. `${{ item.field }}` reads into an item.
 */
import { FndError, type SourceLocation } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { describeValue, formatPath, isPlainObject, setOwn } from './path.js';
import { asText, EXPRESSION, WHOLE_EXPRESSION } from './template.js';
import type { SpecPath } from './types.js';

const PART_KEY = /^[A-Za-z0-9_-]+$/;

type Locate = (path: SpecPath, options?: { part?: 'key' | 'value' }) => SourceLocation;

export interface ExpandedForeach {
  document: Record<string, unknown>;
  /** Stage ids in order, each group replaced by its parts. */
  order: string[];
  /** Group id -> its part ids, in item order. */
  groups: Record<string, string[]>;
  errors: FndError[];
}

/** `partOf` is filled with part id -> group id, so that `locate` can send a part's paths to the group's source. */
export function expandForeach(document: Record<string, unknown>, order: string[], locate: Locate, partOf: Map<string, string>): ExpandedForeach {
  const errors: FndError[] = [];
  const fail = (path: SpecPath, message: string) =>
    errors.push(new FndError(`${formatPath(path)}: ${message}`, { location: locate(path, { part: 'value' }), exitCode: 2 }));
  const stages = isPlainObject(document.stages) ? document.stages : {};
  const ids = [...order.filter((id) => Object.hasOwn(stages, id)), ...Object.keys(stages).filter((id) => !order.includes(id))];
  const expanded: Record<string, unknown> = {};
  const expandedOrder: string[] = [];
  const groups: Record<string, string[]> = {};
  for (const id of ids) {
    const stage = stages[id];
    if (!isPlainObject(stage) || !Object.hasOwn(stage, 'foreach')) {
      setOwn(expanded, id, stage);
      expandedOrder.push(id);
      continue;
    }
    const { foreach, ...body } = stage;
    const entries = foreachEntries(foreach);
    if (entries.length === 0) {
      fail(['stages', id, 'foreach'], `foreach takes a non-empty list (a part per value) or map (part name -> item), got ${describeValue(foreach)}`);
      // The body stays, so the shape check sees the rest of the stage (and no stage goes missing).
      setOwn(expanded, id, body);
      expandedOrder.push(id);
      continue;
    }
    const seen = new Set<string>();
    groups[id] = [];
    entries.forEach(([key, item], i) => {
      const itemPath = ['stages', id, 'foreach', Array.isArray(foreach) ? i : key];
      if (!PART_KEY.test(key)) {
        fail(itemPath, `foreach item ${JSON.stringify(key)} cannot name a part (letters, digits, '-' and '_'); write foreach as a map of part name -> item`);
        return;
      }
      if (seen.has(key)) {
        fail(itemPath, `foreach names the part "${key}" twice`);
        return;
      }
      seen.add(key);
      const partId = `${id}.${key}`;
      partOf.set(partId, id);
      const before = errors.length;
      const value = substitute(body, { item, key }, ['stages', id], (path, message) => fail(path, message));
      if (errors.length > before) return;
      setOwn(expanded, partId, value);
      expandedOrder.push(partId);
      groups[id]!.push(partId);
    });
    if (groups[id]!.length === 0) {
      // Every item failed (and was reported): keep the stage as written so nothing else looks missing.
      delete groups[id];
      setOwn(expanded, id, stage);
      expandedOrder.push(id);
    }
  }
  return { document: { ...document, stages: expanded }, order: expandedOrder, groups, errors };
}

function foreachEntries(foreach: unknown): [string, unknown][] {
  if (Array.isArray(foreach)) {
    return foreach.map((item, i) => [item !== null && typeof item === 'object' ? String(i) : String(item), item]);
  }
  return isPlainObject(foreach) ? Object.entries(foreach) : [];
}

/** `${{ item }}`, `${{ item.x }}` and `${{ key }}` replaced in every string of `value`. */
function substitute(value: unknown, locals: Record<string, unknown>, path: SpecPath, fail: (path: SpecPath, message: string) => void): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return value;
    try {
      const whole = WHOLE_EXPRESSION.exec(value);
      if (whole) return lookup(whole[1]!, locals);
      return value.replace(EXPRESSION, (_, expression: string) => asText(lookup(expression, locals)));
    } catch (error) {
      fail(path, (error as Error).message);
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => substitute(item, locals, [...path, i], fail));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(out, key, substitute(item, locals, [...path, key], fail));
    return out;
  }
  return value;
}

function lookup(expression: string, locals: Record<string, unknown>): unknown {
  const [head, ...rest] = expression.split('.') as [string, ...string[]];
  let value = locals[head];
  let walked = head;
  for (const segment of rest) {
    const next = `${walked}.${segment}`;
    if (isPlainObject(value) && Object.hasOwn(value, segment)) value = value[segment];
    else if (Array.isArray(value) && /^\d+$/.test(segment) && Number(segment) < value.length) value = value[Number(segment)];
    else {
      const keys = isPlainObject(value) ? Object.keys(value).map((k) => `${walked}.${k}`) : [];
      throw new Error(`unknown variable "${next}"${didYouMean(next, keys)}${keys.length ? '' : ` (${walked} is ${JSON.stringify(value)})`}`);
    }
    walked = next;
  }
  return value;
}
