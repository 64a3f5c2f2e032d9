/**
 * `--set PATH=VALUE` overrides (also how a matrix variant is applied). PATH is a dotted path
 * into the document (`stages.train.with.learning_rate`, `vars.x`, `seed`) or the shorthand
 * `train.with.seed` when the first segment is a stage id. VALUE is a YAML flow value, so
 * `3e-5` is a number, `[1,2]` a list and `true` a boolean.
 */
import { FndError, FndErrors, formatLocation } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { describeValue, formatPath, isPlainObject } from './path.js';
import { topLevelKeys } from './pipeline-schema.js';
import type { SpecPath } from './types.js';
import { parseYamlSource } from './yaml-source.js';

export interface ParsedOverride {
  text: string;
  /** Segments as written (before the stage-id shorthand is expanded). */
  segments: string[];
  value: unknown;
}

const usage = 'expected PATH=VALUE, e.g. stages.train.with.learning_rate=3e-5, train.with.seed=7 or vars.x=1';

function fail(text: string, message: string): never {
  throw new FndError(`--set ${text}: ${message}`, { exitCode: 2 });
}

export function parseOverride(text: string): ParsedOverride {
  const eq = text.indexOf('=');
  if (eq < 0) fail(text, `missing "="; ${usage}`);
  const pathText = text.slice(0, eq).trim();
  const segments = pathText.split('.');
  if (pathText === '' || segments.some((s) => s.trim() === '')) fail(text, `empty path segment in "${pathText}"; ${usage}`);
  const valueText = text.slice(eq + 1);
  let value: unknown = '';
  if (valueText.trim() !== '') {
    // The spec's own reader, so an alias bomb or absurd nesting on the command line is refused the same way.
    try {
      value = parseYamlSource(valueText, 'value').value;
    } catch (error) {
      if (!(error instanceof FndError)) throw error;
      const first = error instanceof FndErrors ? error.errors[0]! : error;
      const bare = first.location ? first.message.slice(formatLocation(first.location).length + 2) : first.message;
      fail(text, `cannot parse value "${valueText}" as YAML: ${bare}`);
    }
  }
  return { text, segments: segments.map((s) => s.trim()), value };
}

/**
 * The full path an override addresses in `document`: top-level keys as written, anything else
 * must be a stage id (`train.with.seed` -> `stages.train.with.seed`).
 */
export function overridePath(override: ParsedOverride, document: Record<string, unknown>): SpecPath {
  const [first, ...rest] = override.segments as [string, ...string[]];
  const stageIds = isPlainObject(document.stages) ? Object.keys(document.stages) : [];
  if (first === 'stages' && rest.length > 1 && !stageIds.includes(rest[0]!)) {
    // Creating a stage from the command line is never what was meant; a typo is.
    fail(override.text, `there is no stage "${rest[0]}"${didYouMean(rest[0]!, stageIds)}`);
  }
  if (first === 'vars' && rest.length > 0) {
    // vars takes any name, so a misspelt one would be added beside the real one and change nothing.
    const names = isPlainObject(document.vars) ? Object.keys(document.vars) : [];
    if (!names.includes(rest[0]!)) {
      const known = names.length ? ` (the spec's vars: ${names.join(', ')})` : ' (the spec has no vars)';
      fail(override.text, `unknown variable "vars.${rest[0]}"${didYouMean(rest[0]!, names) || known}`);
    }
  }
  if (topLevelKeys.includes(first)) return override.segments;
  if (stageIds.includes(first)) return ['stages', first, ...rest];
  fail(
    override.text,
    `"${first}" is neither a stage id nor a top-level key (${topLevelKeys.join(', ')})${didYouMean(first, [...stageIds, ...topLevelKeys])}`,
  );
}

/** Writes `value` at `path` in `document` (mutating it), creating maps along the way. */
export function applyOverride(document: Record<string, unknown>, path: SpecPath, value: unknown, text: string): void {
  let container: unknown = document;
  for (let i = 0; i < path.length; i++) {
    const segment = String(path[i]);
    const last = i === path.length - 1;
    const here = formatPath(path.slice(0, i)) || 'the spec';
    if (Array.isArray(container)) {
      if (!/^\d+$/.test(segment) || Number(segment) >= container.length) {
        fail(text, `${here} is a list of ${container.length}; "${segment}" is not an index into it`);
      }
      if (last) container[Number(segment)] = value;
      else container = container[Number(segment)];
    } else if (isPlainObject(container)) {
      if (last) container[segment] = value;
      else {
        if (container[segment] === undefined || container[segment] === null) container[segment] = {};
        container = container[segment];
      }
    } else {
      fail(text, `cannot set "${formatPath(path)}": ${here} is ${describeValue(container)}, not a map`);
    }
  }
}
