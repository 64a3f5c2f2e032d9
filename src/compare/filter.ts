/** `--filter 'train.learning_rate<5e-5'`: one comparison of a param or metric with a value. */
import { FndError } from '../util/errors.js';

export type FilterOp = '<' | '<=' | '>' | '>=' | '=' | '!=';

export interface Filter {
  text: string;
  key: string;
  op: FilterOp;
  value: string;
}

// Two-character operators first, so `<=` is not read as `<` followed by `=5`.
const PATTERN = /^\s*([^<>=!\s]+)\s*(<=|>=|!=|==|<|>|=)\s*(.*?)\s*$/;

export function parseFilter(text: string): Filter {
  const match = PATTERN.exec(text);
  if (!match || match[3] === '') {
    throw new FndError(`--filter "${text}": expected KEY OP VALUE with OP one of < <= > >= = !=, e.g. 'train.learning_rate<5e-5'`, { exitCode: 2 });
  }
  const op = (match[2] === '==' ? '=' : match[2]) as FilterOp;
  return { text, key: match[1]!, op, value: match[3]! };
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function compare<T>(a: T, b: T, op: FilterOp): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** Numbers compare numerically when both sides are numbers; anything else compares as text. Absent values never match. */
export function matchesFilter(value: unknown, filter: Filter): boolean {
  if (value === undefined) return false;
  const left = asNumber(value);
  const right = asNumber(filter.value);
  if (left !== undefined && right !== undefined && typeof value !== 'string') return compare(left, right, filter.op);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const wanted = filter.value.replace(/^(['"])(.*)\1$/, '$2');
  return compare(text, wanted, filter.op);
}
