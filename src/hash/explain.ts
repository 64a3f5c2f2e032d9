import { canonicalJson } from './canonical.js';
import { formatNumber } from '../format/number.js';
import type { SignatureDetails } from './details.js';

/** One way the details differ from last time, e.g. `{ part: 'param', key: 'learning_rate', text: 'param learning_rate changed: 5e-05 → 3e-05' }`. */
export interface Difference {
  part: 'plugin' | 'version' | 'code' | 'param' | 'input' | 'environment';
  /** The param path, input port or environment key (empty for plugin, version and code). */
  key: string;
  text: string;
}

/**
 * Every difference between the details recorded last time and now, cheapest-first (identity,
 * code, params, inputs, environment), so the first names the cause a user controls most directly.
 * Empty when nothing differs. `previous` undefined (never ran) is not a difference: callers say so.
 */
export function listDifferences(previous: SignatureDetails, current: SignatureDetails): Difference[] {
  const found: Difference[] = [];
  if (previous.plugin !== current.plugin) found.push({ part: 'plugin', key: '', text: `plugin changed: ${previous.plugin} → ${current.plugin}` });
  if (previous.version !== current.version) {
    found.push({ part: 'version', key: '', text: `plugin version changed: ${previous.version} → ${current.version}` });
  }
  if (previous.code !== current.code) found.push({ part: 'code', key: '', text: `code of plugin "${current.plugin}" changed` });
  for (const param of leafDifferences(previous.params ?? {}, current.params ?? {}, '')) found.push({ part: 'param', key: param.path, text: `param ${param.text}` });
  for (const input of recordDifferences(previous.inputs ?? {}, current.inputs ?? {})) {
    found.push({ part: 'input', key: input.key, text: `input ${input.key} ${input.kind}` });
  }
  // The backend first: the other environment facts (package versions, builds) follow from it.
  const environment = recordDifferences(previous.environment ?? {}, current.environment ?? {}).sort((a, b) => Number(b.key === 'backend') - Number(a.key === 'backend'));
  for (const { key, before, after } of environment) {
    found.push({ part: 'environment', key, text: `${key} changed: ${before ?? '(none)'} → ${after ?? '(none)'}` });
  }
  return found;
}

/** The first difference's text, "never run before", or "unchanged". */
export function explainDifference(previous: SignatureDetails | undefined, current: SignatureDetails): string {
  if (previous === undefined) return 'never run before';
  return listDifferences(previous, current)[0]?.text ?? 'unchanged';
}

interface RecordDifference {
  key: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

function recordDifferences(before: Record<string, string>, after: Record<string, string>): RecordDifference[] {
  const found: RecordDifference[] = [];
  for (const key of unionKeys(before, after)) {
    const a = before[key];
    const b = after[key];
    if (a === b) continue;
    const kind = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
    found.push({ key, kind, before: a, after: b });
  }
  return found;
}

/** Every differing leaf, as { path, text: "<path> changed: a → b" | "<path> added: b" | "<path> removed (was a)" }. */
function leafDifferences(before: unknown, after: unknown, path: string): { path: string; text: string }[] {
  if (isRecord(before) && isRecord(after)) {
    const found: { path: string; text: string }[] = [];
    for (const key of unionKeys(before, after)) {
      const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
      const childPath = plain ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;
      const a = before[key];
      const b = after[key];
      if (a === undefined && b === undefined) continue;
      if (a === undefined) found.push({ path: childPath, text: `${childPath} added: ${show(b)}` });
      else if (b === undefined) found.push({ path: childPath, text: `${childPath} removed (was ${show(a)})` });
      else found.push(...leafDifferences(a, b, childPath));
    }
    return found;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const found: { path: string; text: string }[] = [];
    const shared = Math.min(before.length, after.length);
    for (let index = 0; index < shared; index++) found.push(...leafDifferences(before[index], after[index], `${path}[${index}]`));
    if (after.length > shared) found.push({ path: `${path}[${shared}]`, text: `${path}[${shared}] added: ${show(after[shared])}` });
    if (before.length > shared) found.push({ path: `${path}[${shared}]`, text: `${path}[${shared}] removed (was ${show(before[shared])})` });
    return found;
  }
  if (sameLeaf(before, after)) return [];
  // 3 → "3" must not read as "3 → 3": quote strings when the type changed.
  const quote = typeof before !== typeof after;
  return [{ path, text: `${path} changed: ${show(before, quote)} → ${show(after, quote)}` }];
}

function sameLeaf(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

const MAX_SHOWN = 80;

/** A value as a user reads it in one line: strings bare, numbers as everywhere else (5e-05) but never rounded, the rest as JSON. */
function show(value: unknown, quoteStrings = false): string {
  let text: string;
  if (typeof value === 'string') text = value === '' || quoteStrings ? JSON.stringify(value) : value;
  else if (typeof value === 'number') text = formatNumber(value, { exact: true });
  else {
    try {
      text = canonicalJson(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
