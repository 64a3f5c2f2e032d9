/**
 * YAML text -> plain value plus a parallel tree of source positions, so any path of the value
 * (['stages', 'train', 'with', 'lr']) maps back to the FILE:LINE:COL where it was written, even
 * when it arrived through an alias, a merge key (`<<`) or another file (`!include`, `extends`).
 *
 * The conversion is fnd's own (not `doc.toJS()`) so that hostile input ends in a located error:
 * nesting deeper than MAX_DEPTH is refused before the YAML composer recurses, and aliases may
 * not expand the document by more than MAX_ALIAS_VALUES values (a "billion laughs" bomb).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, Parser, parseDocument, visit, type Document, type Node } from 'yaml';
import { FndError, FndErrors, type SourceLocation } from '../util/errors.js';
import { formatPath, setOwn } from './path.js';
import type { SpecPath } from './types.js';

/** Levels of maps and lists one spec may nest; real specs use fewer than ten. */
export const MAX_DEPTH = 100;
/** Values that aliases may add to a document, in all; a spec that reuses a block a few times needs hundreds. */
export const MAX_ALIAS_VALUES = 10_000;

/** Where one node of a value was written: its key (for map entries) and its value. */
export interface LocNode {
  key?: SourceLocation;
  value?: SourceLocation;
  children?: Map<string, LocNode>;
}

export interface LocatedValue {
  value: unknown;
  loc: LocNode;
}

/** `!delete`: removes the key it is written at from what the spec extends. */
export class DeleteMarker {
  constructor(readonly at: SourceLocation) {}
}

/** `!replace`: the value replaces the extended spec's value instead of being merged into it. */
export class ReplaceMarker {
  constructor(readonly value: unknown) {}
}

export interface ParseOptions {
  /** Reads the file an `!include PATH` names (relative to this file) as a located value. */
  include?(path: string, at: SourceLocation): LocatedValue;
}

const STANDARD_TAG = 'tag:yaml.org,2002:';
const FND_TAGS = ['!include', '!delete', '!replace'];

function userError(message: string, location: SourceLocation): FndError {
  return new FndError(message, { location, exitCode: 2 });
}

/** Parses YAML; syntax errors, duplicate keys and hostile structure become one FndErrors (exit 2) located at file:line:col. */
export function parseYamlSource(text: string, displayFile: string, options: ParseOptions = {}): LocatedValue {
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined): SourceLocation =>
    offset === undefined ? { file: displayFile } : { file: displayFile, ...lineCounter.linePos(offset) };
  // The composer and every later pass recurse; refuse deep nesting while it is still a flat token stream.
  checkDepth(text, displayFile);
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const errors: FndError[] = [];
  for (const error of doc.errors) errors.push(userError(`YAML syntax error: ${error.message}`, at(error.pos[0])));
  if (errors.length > 0) throw new FndErrors(errors, 2);
  const converter = new Converter(doc, at, options);
  const result = converter.convert(doc.contents, [], 0);
  if (converter.errors.length > 0) throw new FndErrors(converter.errors, 2);
  return result;
}

/** Throws a located error when maps and lists nest deeper than MAX_DEPTH (walks the CST with an explicit stack). */
function checkDepth(text: string, displayFile: string): void {
  type CstNode = { type: string; offset: number; value?: CstNode; items?: { key?: CstNode | null; value?: CstNode | null }[] };
  const stack: { token: CstNode; depth: number }[] = [];
  for (const token of new Parser().parse(text)) stack.push({ token: token as unknown as CstNode, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'document' && token.value) stack.push({ token: token.value, depth });
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth + 1 > MAX_DEPTH) {
      throw new FndErrors([userError(`maps and lists nest deeper than ${MAX_DEPTH} levels here; a spec needs far fewer`, { file: displayFile, ...linePos(text, token.offset) })], 2);
    }
    for (const item of token.items ?? []) {
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
}

/** 1-based line and column of a character offset. */
function linePos(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** Unwinds the conversion when aliases made too many values; turned into a located error at the outermost alias. */
class AliasBudgetExceeded extends Error {}

class Converter {
  readonly errors: FndError[] = [];
  private aliasValues = 0;
  private readonly anchors = new Map<string, { offset: number; node: Node }[]>();
  private readonly active = new Set<Node>();

  constructor(
    private readonly doc: Document,
    private readonly at: (offset: number | undefined) => SourceLocation,
    private readonly options: ParseOptions,
  ) {
    visit(doc, {
      Node: (_, node) => {
        if (node.anchor) {
          const list = this.anchors.get(node.anchor) ?? [];
          list.push({ offset: node.range?.[0] ?? 0, node });
          this.anchors.set(node.anchor, list);
        }
      },
    });
  }

  /** `aliasDepth` > 0 while converting what an alias points at: those values count against MAX_ALIAS_VALUES. */
  convert(node: unknown, path: SpecPath, depth: number, aliasDepth = 0): LocatedValue {
    const n = node as Node | null | undefined;
    const where = this.at(n?.range?.[0]);
    if (depth > MAX_DEPTH) throw new FndErrors([userError(`maps and lists nest deeper than ${MAX_DEPTH} levels here (through aliases); a spec needs far fewer`, where)], 2);
    if (aliasDepth > 0 && ++this.aliasValues > MAX_ALIAS_VALUES) throw new AliasBudgetExceeded();
    if (n === null || n === undefined) return { value: null, loc: { value: where } };
    if (isAlias(n)) return this.alias(n, path, depth, aliasDepth);
    const tag = n.tag;
    if (tag !== undefined && !tag.startsWith(STANDARD_TAG)) {
      if (!FND_TAGS.includes(tag)) {
        this.errors.push(userError(`${label(path)}: unknown tag ${tag} (fnd knows ${FND_TAGS.join(', ')})`, where));
        return { value: null, loc: { value: where } };
      }
      if (tag === '!delete') return { value: new DeleteMarker(where), loc: { value: where } };
      if (tag === '!include') {
        if (!isScalar(n) || typeof n.value !== 'string' || n.value === '') {
          this.errors.push(userError(`${label(path)}: !include takes a file path, e.g. !include labels.yaml`, where));
          return { value: null, loc: { value: where } };
        }
        if (!this.options.include) {
          this.errors.push(userError(`${label(path)}: !include is not available here`, where));
          return { value: null, loc: { value: where } };
        }
        const included = this.options.include(n.value, where);
        // An include under an alias is repeated with it: its values count like the alias's own.
        if (aliasDepth > 0) {
          this.aliasValues += countValues(included.value);
          if (this.aliasValues > MAX_ALIAS_VALUES) throw new AliasBudgetExceeded();
        }
        return { value: included.value, loc: { ...included.loc, value: included.loc.value ?? where } };
      }
    }
    let result: LocatedValue;
    if (isScalar(n)) result = { value: n.value ?? null, loc: { value: where } };
    else if (isSeq(n)) {
      const value: unknown[] = [];
      const children = new Map<string, LocNode>();
      n.items.forEach((item, i) => {
        const converted = this.convert(item, [...path, i], depth + 1, aliasDepth);
        value.push(converted.value);
        children.set(String(i), converted.loc);
      });
      result = { value, loc: { value: where, children } };
    } else if (isMap(n)) result = this.map(n, path, depth, aliasDepth, where);
    else {
      this.errors.push(userError(`${label(path)}: unsupported YAML node`, where));
      return { value: null, loc: { value: where } };
    }
    if (tag === '!replace') result = { value: new ReplaceMarker(result.value), loc: result.loc };
    return result;
  }

  private alias(n: Node & { source: string }, path: SpecPath, depth: number, aliasDepth: number): LocatedValue {
    const where = this.at(n.range?.[0]);
    const offset = n.range?.[0] ?? 0;
    const target = this.anchors.get(n.source)?.filter((a) => a.offset < offset).at(-1)?.node;
    if (!target) {
      this.errors.push(userError(`${label(path)}: alias *${n.source} names no anchor &${n.source} before it`, where));
      return { value: null, loc: { value: where } };
    }
    if (this.active.has(target)) {
      this.errors.push(userError(`${label(path)}: alias *${n.source} refers to the value that contains it`, where));
      return { value: null, loc: { value: where } };
    }
    this.active.add(target);
    try {
      return this.convert(target, path, depth, aliasDepth + 1);
    } catch (error) {
      // Reported at the outermost alias: the one written where the document grew too large.
      if (!(error instanceof AliasBudgetExceeded) || aliasDepth > 0) throw error;
      const message = `alias *${n.source} takes the document past ${MAX_ALIAS_VALUES} values made by aliases (a "billion laughs" alias bomb?); write the values out or use fewer aliases`;
      throw new FndErrors([userError(message, where)], 2);
    } finally {
      this.active.delete(target);
    }
  }

  private map(n: Node & { items: { key: unknown; value: unknown }[] }, path: SpecPath, depth: number, aliasDepth: number, where: SourceLocation): LocatedValue {
    const value: Record<string, unknown> = {};
    const children = new Map<string, LocNode>();
    const explicit = new Map<string, number>();
    for (const pair of n.items) {
      if (isMergeKey(pair.key)) continue;
      if (!isScalar(pair.key)) {
        this.errors.push(userError(`${label(path)}: a map key must be a plain value`, this.at((pair.key as Node | null)?.range?.[0]) ?? where));
        continue;
      }
      const key = String(pair.key.value);
      const offset = pair.key.range?.[0] ?? 0;
      const first = explicit.get(key);
      if (first !== undefined) {
        const firstLine = this.at(first).line;
        const message =
          path.length === 1 && path[0] === 'stages'
            ? `duplicate stage id "${key}" (first defined at line ${firstLine})`
            : `duplicate key "${key}" in ${path.length ? formatPath(path) : 'the top level'} (first defined at line ${firstLine})`;
        this.errors.push(userError(message, this.at(offset)));
      } else explicit.set(key, offset);
    }
    const done = new Set<string>();
    for (const pair of n.items) {
      if (isMergeKey(pair.key)) {
        // YAML merge keys: the merged maps' entries, in place, unless this map sets the key itself (earlier maps win).
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const source of sources) {
          const merged = this.convert(source, path, depth, aliasDepth);
          if (!isRecord(merged.value)) {
            this.errors.push(userError(`${label(path)}: a merge key (<<) takes a map or a list of maps`, this.at((source as Node | null)?.range?.[0])));
            continue;
          }
          for (const [key, item] of Object.entries(merged.value)) {
            if (explicit.has(key) || done.has(key)) continue;
            done.add(key);
            setOwn(value, key, item);
            children.set(key, merged.loc.children?.get(key) ?? { value: merged.loc.value });
          }
        }
        continue;
      }
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (done.has(key)) continue;
      done.add(key);
      const converted = this.convert(pair.value, [...path, key], depth + 1, aliasDepth);
      setOwn(value, key, converted.value);
      children.set(key, { ...converted.loc, key: this.at(pair.key.range?.[0]) });
    }
    return { value, loc: { value: where, children } };
  }
}

/** Maps, lists and values in a converted value (each counts one). */
function countValues(value: unknown): number {
  let count = 0;
  const pending = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    count++;
    if (Array.isArray(next)) pending.push(...next);
    else if (next !== null && typeof next === 'object') pending.push(...Object.values(next));
  }
  return count;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === '<<' && key.type === 'PLAIN';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof DeleteMarker) && !(value instanceof ReplaceMarker);
}

function label(path: SpecPath): string {
  return path.length ? formatPath(path) : 'spec';
}

/**
 * The position of `path`: the key of the last map entry on the path (or its value with part
 * 'value'), or the deepest node that exists when the path goes further than the document.
 */
export function locateIn(root: LocNode, path: SpecPath, part: 'key' | 'value' = 'key', fallbackFile = ''): SourceLocation {
  let node = root;
  let key: SourceLocation | undefined;
  let value = root.value;
  for (const segment of path) {
    const next = node.children?.get(String(segment));
    if (!next) break;
    node = next;
    key = next.key;
    value = next.value ?? key;
  }
  if (part === 'key' && key !== undefined) return key;
  return value ?? key ?? { file: fallbackFile };
}

/** Keys of the `stages` map in the order they were written (a plain object would move numeric-looking ids first). */
export function stageOrder(root: LocNode): string[] {
  return [...(root.children?.get('stages')?.children?.keys() ?? [])];
}
