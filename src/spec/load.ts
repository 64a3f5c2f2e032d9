/**
 * loadSpec: read a spec file with what it extends and includes, apply --set overrides (then a
 * matrix variant's), expand templates, check the document's shape, expand foreach stages into
 * their parts, and return it with a way back to FILE:LINE:COL of the file each value was
 * written in. Plugin-level checks (params, ports, cycles) are validatePipeline's job.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FndError, FndErrors, type SourceLocation } from '../util/errors.js';
import { checkSpecDocument, writtenPath } from './check-document.js';
import { composeSpec } from './compose.js';
import { expandForeach } from './foreach.js';
import { normalizeSpec } from './normalize.js';
import { applyOverride, overridePath, parseOverride } from './overrides.js';
import { isPlainObject, isPrefix } from './path.js';
import { applyTemplates } from './template.js';
import type { AppliedOverride, LoadedSpec, SpecPath } from './types.js';
import { locateIn, stageOrder, type LocNode } from './yaml-source.js';

export interface LoadSpecOptions {
  /** `--set PATH=VALUE` overrides, applied in order. */
  sets?: string[];
  /** A matrix variant's overrides (from expandMatrix), applied after `sets`. */
  matrixSets?: string[];
}

export async function loadSpec(file: string, options: LoadSpecOptions = {}): Promise<LoadedSpec> {
  const absolute = resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (cause as Error).message;
    throw new FndError(`cannot read spec ${file}: ${why}`, { exitCode: 2, cause });
  }
  return loadSpecFromText(text, file, options);
}

/** As loadSpec, for text already in memory; `file` names it in messages and is resolved to `LoadedSpec.file`. */
export function loadSpecFromText(text: string, file: string, options: LoadSpecOptions = {}): LoadedSpec {
  const composed = composeSpec(text, file, resolve(file));
  const given = composed.value;
  if (!isPlainObject(given)) {
    throw new FndError('a spec must be a YAML map with at least "name" and "stages"', {
      location: { file, line: 1, col: 1 },
      exitCode: 2,
    });
  }
  const document = structuredClone(given);
  const overrides: AppliedOverride[] = [];
  const matrixKeys = isPlainObject(given.matrix) ? Object.keys(given.matrix) : [];
  for (const [texts, origin] of [[options.sets ?? [], 'set'], [options.matrixSets ?? [], 'matrix']] as const) {
    for (const setText of texts) {
      const parsed = parseOverride(setText);
      const path = overridePath(parsed, document);
      applyOverride(document, path, structuredClone(parsed.value), setText);
      overrides.push({ text: setText, path, value: parsed.value, source: origin });
    }
  }
  const partOf = new Map<string, string>();
  const locate = makeLocate(composed.loc, file, given, overrides, matrixKeys, partOf);
  const templated = applyTemplates(document, locate);
  if (templated.errors.length > 0) {
    // Report shape errors along with the templating ones, as far as they can be told apart from unexpanded foreach bodies.
    const foreachIds = Object.entries(isPlainObject(templated.value.stages) ? templated.value.stages : {}).filter(([, stage]) => isPlainObject(stage) && 'foreach' in stage);
    const shape = foreachIds.length === 0 ? checkSpecDocument(templated.value, locate) : [];
    throw new FndErrors([...templated.errors, ...shape], 2);
  }
  // Parts exist before the shape check, so what an item put into a part is checked too.
  const expanded = expandForeach(templated.value, stageOrder(composed.loc), locate, partOf);
  const errors = [...expanded.errors, ...checkSpecDocument(expanded.document, locate, partOf)];
  if (errors.length > 0) throw new FndErrors(errors, 2);
  return {
    file: resolve(file),
    source: text,
    files: composed.files,
    given,
    resolvedDocument: expanded.document,
    resolved: normalizeSpec(expanded.document, expanded.order, expanded.groups),
    overrides,
    locate,
    writtenPath: (path) => writtenPath(path, partOf),
  };
}

function makeLocate(
  root: LocNode,
  file: string,
  given: Record<string, unknown>,
  overrides: AppliedOverride[],
  matrixKeys: string[],
  partOf: Map<string, string>,
): LoadedSpec['locate'] {
  return (asked: SpecPath, options = {}): SourceLocation => {
    // A foreach part was written as its group: `stages.tokenize.train.with.x` is `stages.tokenize.with.x`.
    const group = asked[0] === 'stages' && asked.length > 1 ? partOf.get(String(asked[1])) : undefined;
    const path = group === undefined ? asked : ['stages', group, ...asked.slice(2)];
    // The last override that wrote the path (or created it on the way to a deeper key) is where its value came from.
    for (let i = overrides.length - 1; i >= 0; i--) {
      const override = overrides[i]!;
      const wrote = isPrefix(override.path, path);
      const created = !wrote && isPrefix(path, override.path) && !existsIn(given, path);
      if (!wrote && !created) continue;
      const key = override.text.slice(0, override.text.indexOf('='));
      if (override.source === 'matrix' && matrixKeys.includes(key)) {
        const at = locateIn(root, ['matrix', key], 'key', file);
        // One string, so the message reads FILE:LINE:COL (matrix value PATH=VALUE): ...
        return { file: `${at.file}:${at.line ?? 1}:${at.col ?? 1} (matrix value ${override.text})` };
      }
      return { file: `--set ${override.text}` };
    }
    return locateIn(root, path, options.part ?? 'key', file);
  };
}

function existsIn(document: unknown, path: SpecPath): boolean {
  let node = document;
  for (const segment of path) {
    if (Array.isArray(node) && /^\d+$/.test(String(segment)) && Number(segment) < node.length) node = node[Number(segment)];
    else if (isPlainObject(node) && String(segment) in node) node = node[String(segment)];
    else return false;
  }
  return true;
}
