/**
 * Spec composition, before overrides and templating: `extends: base.yaml` deep-merges this
 * spec over another (maps merge key by key, anything else replaces; `!delete` removes a key,
 * `!replace` takes a map as written instead of merging it), and `!include FILE` puts another
 * YAML file's value in place. Every value keeps the position of the file it was written in.
 * Paths are relative to the file that names them.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { FndError, FndErrors, type SourceLocation } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { formatPath, isPlainObject, setOwn } from './path.js';
import type { SpecPath } from './types.js';
import { DeleteMarker, parseYamlSource, ReplaceMarker, type LocatedValue, type LocNode } from './yaml-source.js';

export interface ComposedSpec extends LocatedValue {
  /** Absolute paths of every file read, the spec first. */
  files: string[];
}

interface FileRef {
  display: string;
  absolute: string;
}

/** Reads `text` (the spec at `absolute`, shown as `display`) with everything it extends and includes. */
export function composeSpec(text: string, display: string, absolute: string): ComposedSpec {
  const composer = new Composer([absolute]);
  const composed = composer.spec(text, { display, absolute }, [absolute]);
  return { ...composed, files: composer.files };
}

class Composer {
  constructor(readonly files: string[]) {}

  spec(text: string, file: FileRef, chain: string[]): LocatedValue {
    const parsed = this.parse(text, file, chain);
    if (!isPlainObject(parsed.value) || !Object.hasOwn(parsed.value, 'extends')) return finalize(parsed);
    const extendsLoc = parsed.loc.children?.get('extends') ?? {};
    const refs = parsed.value.extends;
    const list = typeof refs === 'string' ? [refs] : Array.isArray(refs) && refs.length > 0 && refs.every((r) => typeof r === 'string' && r !== '') ? (refs as string[]) : undefined;
    if (!list || list.includes('')) {
      throw located('extends: takes a spec file (or a list of them), e.g. extends: base.yaml', extendsLoc.value ?? extendsLoc.key);
    }
    let base: LocatedValue | undefined;
    list.forEach((ref, i) => {
      const at = (typeof refs === 'string' ? extendsLoc.value : extendsLoc.children?.get(String(i))?.value) ?? extendsLoc.key;
      const next = this.read(ref, at, file, chain, 'extends');
      if (!isPlainObject(next.value)) throw located(`extends: ${ref} is not a spec (a YAML map)`, at);
      base = base ? merge(base, next, [], []) : next;
    });
    const own: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed.value)) if (key !== 'extends') setOwn(own, key, value);
    const ownChildren = new Map(parsed.loc.children);
    ownChildren.delete('extends');
    const errors: FndError[] = [];
    const merged = merge(base!, { value: own, loc: { ...parsed.loc, children: ownChildren } }, [], errors);
    if (errors.length > 0) throw new FndErrors(errors, 2);
    return finalize(merged);
  }

  private parse(text: string, file: FileRef, chain: string[]): LocatedValue {
    return parseYamlSource(text, file.display, {
      include: (ref, at) => finalize(this.read(ref, at, file, chain, 'include')),
    });
  }

  private read(ref: string, at: SourceLocation | undefined, from: FileRef, chain: string[], how: 'extends' | 'include'): LocatedValue {
    const absolute = resolve(dirname(from.absolute), ref);
    const display = isAbsolute(ref) ? ref : normalize(join(dirname(from.display), ref));
    const what = how === 'extends' ? `extends: ${ref}` : `!include ${ref}`;
    if (chain.includes(absolute)) {
      throw located(`${what}: the files extend or include each other in a cycle (${[...chain, absolute].map((f) => JSON.stringify(f)).join(' -> ')})`, at);
    }
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (cause as Error).message;
      throw located(`${what}: cannot read ${display}: ${why}`, at);
    }
    if (!this.files.includes(absolute)) this.files.push(absolute);
    const file = { display, absolute };
    return how === 'extends' ? this.spec(text, file, [...chain, absolute]) : this.parse(text, file, [...chain, absolute]);
  }
}

function located(message: string, at: SourceLocation | undefined): FndErrors {
  return new FndErrors([new FndError(message, { ...(at ? { location: at } : {}), exitCode: 2 })], 2);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !(value instanceof DeleteMarker) && !(value instanceof ReplaceMarker);
}

/** `over` deep-merged onto `base`: maps key by key (base order first), anything else replaced. */
function merge(base: LocatedValue, over: LocatedValue, path: SpecPath, errors: FndError[]): LocatedValue {
  if (over.value instanceof ReplaceMarker) return { value: over.value.value, loc: over.loc };
  if (!isMap(base.value) || !isMap(over.value)) return over;
  const value: Record<string, unknown> = {};
  const children = new Map<string, LocNode>();
  for (const [key, item] of Object.entries(base.value)) {
    setOwn(value, key, item);
    children.set(key, base.loc.children?.get(key) ?? {});
  }
  for (const [key, item] of Object.entries(over.value)) {
    const loc = over.loc.children?.get(key) ?? {};
    if (item instanceof DeleteMarker) {
      if (!Object.hasOwn(value, key)) {
        const where = path.length ? formatPath(path) : 'the extended spec';
        errors.push(new FndError(`!delete removes nothing: ${where} has no "${key}"${didYouMean(key, Object.keys(value))}`, { location: loc.key ?? item.at, exitCode: 2 }));
        continue;
      }
      delete value[key];
      children.delete(key);
    } else if (Object.hasOwn(value, key)) {
      const merged = merge({ value: value[key], loc: children.get(key)! }, { value: item, loc }, [...path, key], errors);
      setOwn(value, key, merged.value);
      children.set(key, merged.loc);
    } else {
      setOwn(value, key, item);
      children.set(key, loc);
    }
  }
  return { value, loc: { ...over.loc, children } };
}

/** Unwraps `!replace` and refuses a `!delete` left with nothing to delete. */
function finalize(located: LocatedValue): LocatedValue {
  const errors: FndError[] = [];
  const walk = (value: unknown, loc: LocNode): unknown => {
    if (value instanceof ReplaceMarker) return walk(value.value, loc);
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        if (item instanceof DeleteMarker) errors.push(new FndError('!delete works on a map entry, not a list item', { location: item.at, exitCode: 2 }));
        return walk(item, loc.children?.get(String(i)) ?? {});
      });
    }
    if (isMap(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const child = loc.children?.get(key) ?? {};
        if (item instanceof DeleteMarker) {
          errors.push(new FndError(`!delete removes nothing: "${key}" is not in a spec this one extends`, { location: child.key ?? item.at, exitCode: 2 }));
          continue;
        }
        setOwn(out, key, walk(item, child));
      }
      return out;
    }
    return value;
  };
  const value = walk(located.value, located.loc);
  if (errors.length > 0) throw new FndErrors(errors, 2);
  return { value, loc: located.loc };
}
