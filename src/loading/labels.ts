/**
 * Where a loader's labels come from and which integer each class gets.
 *
 * Two modes, never mixed in one stage:
 * - names (the normal case): a file's constant `label: fake`, or a label column whose text (through
 *   `label_map` when given) is the class name. Ids follow `classes` when given, else the sorted
 *   class names (numerically when all are integers), so they do not depend on row order.
 * - ids (kept for existing specs): integer `label`s per file, or a label column of integers with
 *   `label_names`; the integers are the ids, names recorded when given.
 */
import { StageUserError } from '../sdk/index.js';
import type { FileEntry, LoadTableParams } from './params.js';

/** A row's label before ids are assigned. */
export type RawLabel = { id: number } | { name: string };

export interface LabelPlan {
  mode: 'ids' | 'names' | 'none';
  /** The label of a row of `file` whose label column (if any) holds `value`; a string is a malformed-row message. */
  labelOf(file: FileEntry, value: unknown): RawLabel | string;
  /** Class names in id order once every row has been read (names mode), given the names seen. */
  classes(seen: Iterable<string>): string[];
  /** id → name to record with the table (ids mode: only the names given). */
  names(classes: string[]): Record<string, string> | undefined;
}

const INTEGER = /^\s*-?\d+\s*$/;

/** Sorted class names: numerically when every name is an integer ("2" before "10"), else by code point. */
export function sortClasses(names: Iterable<string>): string[] {
  const list = [...new Set(names)];
  if (list.every((name) => INTEGER.test(name))) return list.sort((a, b) => Number(a) - Number(b));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function fail(message: string): never {
  throw new StageUserError(`${message}`);
}

export function labelPlan(stage: string, params: LoadTableParams, files: Array<{ where: string; file: FileEntry }>): LabelPlan {
  const integerFiles = files.filter(({ file }) => typeof file.label === 'number');
  const namedFiles = files.filter(({ file }) => typeof file.label === 'string');
  const labelled = files.filter(({ file }) => file.label !== undefined);
  for (const { where, file } of files) {
    if (file.label_name !== undefined && typeof file.label !== 'number') {
      fail(`${stage}: ${where} (${file.path}) has label_name but no integer label; give the class name as label: ${JSON.stringify(file.label_name)}`);
    }
    if (file.label === undefined && params.label_column === undefined && labelled.length > 0) {
      fail(`${stage}: ${where} (${file.path}) has no label while other files do; give it a label or set label_column`);
    }
  }
  const ids = integerFiles.length > 0 || params.label_names !== undefined;
  if (ids && namedFiles.length > 0) {
    fail(`${stage}: ${namedFiles[0]!.where} has the class name ${JSON.stringify(namedFiles[0]!.file.label)} but ${integerFiles[0]?.where ?? 'label_names'} uses integer ids; use class names everywhere`);
  }
  if (ids && (params.label_map !== undefined || params.classes !== undefined)) {
    const which = params.label_map !== undefined ? 'label_map' : 'classes';
    fail(`${stage}: ${which} names classes, but ${integerFiles.length > 0 ? `${integerFiles[0]!.where} has the integer label ${integerFiles[0]!.file.label}` : 'label_names expects integer labels'}; give files class names (label: fake) instead of ids`);
  }
  if (params.label_map !== undefined && params.label_column === undefined) fail(`${stage}: label_map needs label_column (the column it maps)`);
  if (params.label_names !== undefined && params.label_column === undefined && integerFiles.length === 0) {
    fail(`${stage}: label_names needs label_column or integer file labels`);
  }

  if (ids) {
    const given: Record<string, string> = { ...(params.label_names ?? {}) };
    for (const { file } of integerFiles) {
      if (file.label_name === undefined) continue;
      const known = given[String(file.label)];
      if (known !== undefined && known !== file.label_name) fail(`${stage}: label ${file.label} is named both "${known}" and "${file.label_name}"`);
      given[String(file.label)] = file.label_name;
    }
    return {
      mode: 'ids',
      labelOf(file, value) {
        if (typeof file.label === 'number') return { id: file.label };
        const raw = typeof value === 'number' ? String(value) : value;
        if (typeof raw !== 'string' || !INTEGER.test(raw)) {
          return `label column ${JSON.stringify(params.label_column)} holds ${JSON.stringify(value)}, not an integer`;
        }
        return { id: Number.parseInt(raw, 10) };
      },
      classes: () => [],
      names: () => (Object.keys(given).length > 0 ? given : undefined),
    };
  }

  if (labelled.length === 0 && params.label_column === undefined) {
    return { mode: 'none', labelOf: () => fail(`${stage}: internal: no labels`), classes: () => [], names: () => undefined };
  }
  const map = params.label_map && Object.fromEntries(Object.entries(params.label_map).map(([text, name]) => [text, String(name)]));
  const explicit = params.classes?.map(String);
  if (explicit !== undefined) {
    const known = new Set(explicit);
    if (known.size !== explicit.length) fail(`${stage}: classes names a class twice (${explicit.join(', ')})`);
    for (const [text, name] of Object.entries(map ?? {})) {
      if (!known.has(name)) fail(`${stage}: label_map sends ${JSON.stringify(text)} to ${JSON.stringify(name)}, which is not one of classes (${explicit.join(', ')})`);
    }
    for (const { where, file } of namedFiles) {
      if (!known.has(file.label as string)) fail(`${stage}: ${where} has label ${JSON.stringify(file.label)}, which is not one of classes (${explicit.join(', ')})`);
    }
  }
  return {
    mode: 'names',
    labelOf(file, value) {
      if (typeof file.label === 'string') return { name: file.label };
      if (value === undefined || value === null) return `no label in column ${JSON.stringify(params.label_column)}`;
      const text = (typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)).trim();
      if (text === '') return `empty label in column ${JSON.stringify(params.label_column)}`;
      let name = text;
      if (map !== undefined) {
        const mapped = Object.hasOwn(map, text) ? map[text] : undefined;
        if (mapped === undefined) return `label ${JSON.stringify(text)} is not in label_map (${Object.keys(map).map((k) => JSON.stringify(k)).join(', ')})`;
        name = mapped;
      }
      if (explicit !== undefined && !explicit.includes(name)) return `label ${JSON.stringify(name)} is not one of classes (${explicit.join(', ')})`;
      return { name };
    },
    classes(seen) {
      if (explicit !== undefined) return [...explicit];
      // With a label_map every class is known up front: ids do not change when a class is rare or absent.
      return sortClasses(map !== undefined ? [...Object.values(map), ...seen] : seen);
    },
    names: (classes) => Object.fromEntries(classes.map((name, id) => [String(id), name])),
  };
}
