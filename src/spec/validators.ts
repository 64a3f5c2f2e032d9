/**
 * JSON Schema validators for spec documents and plugin params, precompiled when possible.
 *
 * Compiling a schema with ajv costs tens of milliseconds, and a fully cached `fnd run` must start
 * fast, so `npm run build` (scripts/build.mjs) generates the validators of the pipeline schema
 * and of every built-in stage's params as ajv "standalone" code in dist/validators/. Each is
 * filed under a hash of its kind and its schema, so a schema that changed after the build (or a
 * project's own plugin) simply misses and is compiled here, the same way it always was.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv as AjvClass, Options, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../sdk/index.js';
import { packageRoot } from '../util/package-root.js';
import { isPlainObject } from './path.js';

export type ValidatorKind = 'document' | 'params';

/** ajv options per kind; the build compiles with exactly these. */
export const AJV_OPTIONS: Record<ValidatorKind, Options> = {
  document: { allErrors: true, verbose: true, strict: true },
  // strict: false so plugin authors may annotate schemas with their own keywords.
  params: { allErrors: true, useDefaults: true, verbose: true, strict: false, validateFormats: false },
};

/**
 * The schema as it is compiled. Plugin params schemas that list `properties` but say nothing
 * about others reject unknown params too: a mistyped param name must never be silently ignored.
 */
export function schemaToCompile(kind: ValidatorKind, schema: JsonSchema): JsonSchema {
  if (kind !== 'params') return schema;
  return isPlainObject(schema.properties) && schema.additionalProperties === undefined && schema.patternProperties === undefined
    ? { ...schema, additionalProperties: false }
    : schema;
}

/** The name a precompiled validator is filed under: kind + the compiled schema's JSON. */
export function validatorKey(kind: ValidatorKind, schema: JsonSchema): string {
  return createHash('sha256').update(kind).update('\0').update(JSON.stringify(schemaToCompile(kind, schema))).digest('hex').slice(0, 32);
}

/** Where the build puts the generated validators (CommonJS, so they load synchronously). */
export function precompiledFile(kind: ValidatorKind): string {
  return join(packageRoot, 'dist', 'validators', `${kind}.cjs`);
}

const requireHere = createRequire(import.meta.url);
const loaded = new Map<ValidatorKind, Record<string, ValidateFunction>>();

function precompiled(kind: ValidatorKind): Record<string, ValidateFunction> {
  let table = loaded.get(kind);
  if (!table) {
    try {
      table = requireHere(precompiledFile(kind)) as Record<string, ValidateFunction>;
    } catch {
      table = {}; // not built (running from the sources): compile on demand
    }
    loaded.set(kind, table);
  }
  return table;
}

/** A validator for `schema`: the build's precompiled one when the schema is unchanged, else compiled now. */
export function compileValidator(kind: ValidatorKind, schema: JsonSchema): ValidateFunction {
  const ready = precompiled(kind)[validatorKey(kind, schema)];
  if (ready) return ready;
  // ajv's compiler is loaded only here: a cached re-run of built-in stages never needs it.
  const { Ajv } = requireHere('ajv') as { Ajv: typeof AjvClass };
  return new Ajv(AJV_OPTIONS[kind]).compile(schemaToCompile(kind, schema));
}
