import { canonicalJson } from './canonical.js';
import { formatNumber } from '../format/number.js';
import type { SignatureDetails } from './details.js';

/**
 * Why a stage must run again: the FIRST difference between the details recorded last time and
 * now, checked cheapest-first (identity, code, params, inputs, environment) so the message names
 * the cause a user controls most directly. Returns "unchanged" when nothing differs.
 */
export function explainDifference(previous: SignatureDetails | undefined, current: SignatureDetails): string {
  if (previous === undefined) return 'never run before';
  if (previous.plugin !== current.plugin) return `plugin changed: ${previous.plugin} → ${current.plugin}`;
  if (previous.version !== current.version) {
    return `plugin version changed: ${previous.version} → ${current.version}`;
  }
  if (previous.code !== current.code) return `code of plugin "${current.plugin}" changed`;
  const param = firstDifference(previous.params ?? {}, current.params ?? {}, '');
  if (param !== undefined) return `param ${param}`;
  const input = firstRecordDifference(previous.inputs ?? {}, current.inputs ?? {});
  if (input !== undefined) return `input ${input.key} ${input.kind === 'changed' ? 'changed' : input.kind}`;
  const environment = firstRecordDifference(previous.environment ?? {}, current.environment ?? {});
  if (environment !== undefined) {
    const { key, before, after } = environment;
    return `${key} changed: ${before ?? '(none)'} → ${after ?? '(none)'}`;
  }
  return 'unchanged';
}

interface RecordDifference {
  key: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

function firstRecordDifference(before: Record<string, string>, after: Record<string, string>): RecordDifference | undefined {
  for (const key of unionKeys(before, after)) {
    const a = before[key];
    const b = after[key];
    if (a === b) continue;
    const kind = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
    return { key, kind, before: a, after: b };
  }
  return undefined;
}

/** Describes the first differing leaf as "<path> changed: a → b", "<path> added: b" or "<path> removed (was a)". */
function firstDifference(before: unknown, after: unknown, path: string): string | undefined {
  if (isRecord(before) && isRecord(after)) {
    for (const key of unionKeys(before, after)) {
      const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
      const childPath = plain ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;
      const a = before[key];
      const b = after[key];
      if (a === undefined && b === undefined) continue;
      if (a === undefined) return `${childPath} added: ${show(b)}`;
      if (b === undefined) return `${childPath} removed (was ${show(a)})`;
      const found = firstDifference(a, b, childPath);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const shared = Math.min(before.length, after.length);
    for (let index = 0; index < shared; index++) {
      const found = firstDifference(before[index], after[index], `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    if (after.length > shared) return `${path}[${shared}] added: ${show(after[shared])}`;
    if (before.length > shared) return `${path}[${shared}] removed (was ${show(before[shared])})`;
    return undefined;
  }
  if (sameLeaf(before, after)) return undefined;
  // 3 → "3" must not read as "3 → 3": quote strings when the type changed.
  const quote = typeof before !== typeof after;
  return `${path} changed: ${show(before, quote)} → ${show(after, quote)}`;
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
