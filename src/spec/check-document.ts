/** Checks a spec document (after overrides and templating) against schemas/pipeline.schema.json. */
import { Ajv } from 'ajv';
import type { FndError } from '../util/errors.js';
import { formatAjvErrors, type AjvErrorContext } from './ajv-errors.js';
import { pipelineSchema } from './pipeline-schema.js';
import type { SpecPath } from './types.js';

/** Returns one located error per problem (empty when the document has the right shape). */
export function checkSpecDocument(document: unknown, locate: AjvErrorContext['locate']): FndError[] {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(pipelineSchema);
  if (validate(document)) return [];
  const errors = formatAjvErrors(validate.errors ?? [], {
    basePath: [],
    locate,
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

function keyNoun(parent: SpecPath, key: string): string {
  if (parent.length === 0) return `top-level key "${key}"`;
  if (parent.length === 2 && parent[0] === 'stages') return `key "${key}" in stage "${String(parent[1])}"`;
  return `key "${key}"`;
}
