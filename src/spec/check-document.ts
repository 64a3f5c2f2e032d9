/** Checks a spec document (after overrides and templating) against schemas/pipeline.schema.json. */
import type { FndError } from '../util/errors.js';
import { formatAjvErrors, type AjvErrorContext } from './ajv-errors.js';
import { pipelineSchema } from './pipeline-schema.js';
import { compileValidator } from './validators.js';
import type { SpecPath } from './types.js';

/**
 * Returns one located error per problem (empty when the document has the right shape).
 * `partOf` maps the ids of foreach parts (`tokenize.train`) to their stage: their ids are valid,
 * and their problems are told at the stage as written.
 */
export function checkSpecDocument(document: unknown, locate: AjvErrorContext['locate'], partOf: ReadonlyMap<string, string> = new Map()): FndError[] {
  const validate = compileValidator('document', pipelineSchema);
  if (validate(document)) return [];
  const errors = formatAjvErrors(validate.errors ?? [], {
    basePath: [],
    locate,
    allowedKeyName: (parent, key) => parent.length === 1 && parent[0] === 'stages' && partOf.has(key),
    writtenPath: (path) => writtenPath(path, partOf),
    unknownKey: (parent, key) => `unknown ${keyNoun(parent, key)}`,
    missingKey: (parent, key) => `missing required ${keyNoun(parent, key)}`,
    badKeyName: (parent, key) => {
      if (parent.length === 1 && parent[0] === 'stages') return `invalid stage id "${key}" (use a-z, 0-9, '-' and '_', starting with a letter or digit)`;
      if (parent.length === 1 && parent[0] === 'vars') return `invalid variable name "${key}"`;
      if (parent.length === 1 && parent[0] === 'matrix') return `invalid matrix path "${key}"`;
      return `invalid key "${key}"`;
    },
  });
  // ajv reports in schema order; readers expect file order (errors from --set values come last).
  const rank = (e: FndError) => [e.location?.line ?? Infinity, e.location?.col ?? 0] as const;
  return errors.sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
}

/** `stages.tokenize.train.with.x` -> `stages.tokenize.with.x` when `tokenize.train` is a foreach part. */
export function writtenPath(path: SpecPath, partOf: ReadonlyMap<string, string>): SpecPath {
  const group = path[0] === 'stages' && path.length > 1 ? partOf.get(String(path[1])) : undefined;
  return group === undefined ? path : ['stages', group, ...path.slice(2)];
}

function keyNoun(parent: SpecPath, key: string): string {
  if (parent.length === 0) return `top-level key "${key}"`;
  if (parent.length === 2 && parent[0] === 'stages') return `key "${key}" in stage "${String(parent[1]).split('.')[0]}"`;
  return `key "${key}"`;
}
