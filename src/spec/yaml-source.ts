/**
 * YAML text -> document with source positions. Keeps the parsed `Document` and its line
 * counter so any path (['stages', 'train', 'with', 'lr']) can be mapped back to FILE:LINE:COL.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { FndError, FndErrors, type SourceLocation } from '../util/errors.js';
import { formatPath } from './path.js';
import type { SpecPath } from './types.js';

export interface YamlSource {
  /** The file name as shown in messages (as the user gave it). */
  displayFile: string;
  doc: Document;
  lineCounter: LineCounter;
  /** Plain JS value of the document. */
  value: unknown;
}

/** Parses YAML; syntax errors and duplicate keys become one FndErrors (exit 2) with file:line:col each. */
export function parseYamlSource(text: string, displayFile: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => ({ file: displayFile, ...lineCounter.linePos(offset) });
  const errors: FndError[] = [];
  for (const error of doc.errors) {
    // Duplicate keys are reported below with the path they occur in and where the first one is.
    if (error.code === 'DUPLICATE_KEY') continue;
    errors.push(new FndError(`YAML syntax error: ${error.message}`, { location: at(error.pos[0]), exitCode: 2 }));
  }
  collectDuplicateKeys(doc.contents, [], (key, path, first, duplicate) => {
    const message =
      path.length === 1 && path[0] === 'stages'
        ? `duplicate stage id "${key}" (first defined at line ${lineCounter.linePos(first).line})`
        : `duplicate key "${key}" in ${path.length ? formatPath(path) : 'the top level'} (first defined at line ${lineCounter.linePos(first).line})`;
    errors.push(new FndError(message, { location: at(duplicate), exitCode: 2 }));
  });
  if (errors.length > 0) throw new FndErrors(errors, 2);
  // Later duplicates would win silently in toJS; they are errors above, so this is the document as written.
  return { displayFile, doc, lineCounter, value: doc.toJS() };
}

function collectDuplicateKeys(
  node: unknown,
  path: SpecPath,
  report: (key: string, path: SpecPath, firstOffset: number, duplicateOffset: number) => void,
): void {
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const offset = pair.key.range?.[0] ?? 0;
      const first = seen.get(key);
      if (first !== undefined) report(key, path, first, offset);
      else seen.set(key, offset);
      collectDuplicateKeys(pair.value, [...path, key], report);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => collectDuplicateKeys(item, [...path, index], report));
  }
}

/**
 * The position of `path` in the document: the key of the last map entry on the path (or its
 * value with part 'value'), or the deepest node that exists when the path goes further than the file.
 */
export function locateInSource(source: YamlSource, path: SpecPath, part: 'key' | 'value' = 'key'): SourceLocation {
  const { doc, lineCounter, displayFile } = source;
  const at = (offset: number | undefined): SourceLocation =>
    offset === undefined ? { file: displayFile } : { file: displayFile, ...lineCounter.linePos(offset) };
  let node: unknown = doc.contents;
  let keyOffset: number | undefined;
  let valueOffset: number | undefined = (node as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: { key?: number; value: unknown } | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair) next = { key: (pair.key as Node).range?.[0], value: pair.value };
    } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
      const item = node.items[Number(segment)];
      if (item !== undefined) next = { value: item };
    }
    if (!next) break;
    node = next.value;
    keyOffset = next.key;
    valueOffset = (node as Node | null)?.range?.[0] ?? keyOffset;
  }
  if (part === 'key' && keyOffset !== undefined) return at(keyOffset);
  return at(valueOffset ?? keyOffset);
}

/** Keys of the `stages` map in file order (a plain object would move numeric-looking ids first). */
export function stageOrderInSource(source: YamlSource): string[] {
  const stages = isMap(source.doc.contents) ? source.doc.contents.get('stages', true) : undefined;
  if (!isMap(stages)) return [];
  return stages.items.filter((p) => isScalar(p.key)).map((p) => String((p.key as { value: unknown }).value));
}
