/**
 * TrainingArguments from a program: defaults filled in and every value checked against the
 * same JSON Schema the train stage's params use, so a program gets the message a spec would.
 * The schema uses a small subset (type, enum, minimum, exclusiveMinimum); that subset is checked
 * here without compiling a validator.
 */
import { FndConfigError } from '../util/errors.js';
import { suggest } from '../util/suggest.js';
import { TRAINING_ARGUMENTS_SCHEMA } from './arguments-schema.js';
import { TRAIN_DEFAULTS, checkArguments, type TrainingArguments } from './params.js';

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
}

const PROPERTIES = TRAINING_ARGUMENTS_SCHEMA.properties as Record<string, PropertySchema>;

function typeOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
}

function problemWith(value: unknown, schema: PropertySchema): string | undefined {
  if (schema.enum && !schema.enum.includes(value)) return `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !typeOf(value).some((t) => types.includes(t))) return `must be ${types.join(' or ')}`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'must be a finite number';
    if (schema.minimum !== undefined && value < schema.minimum) return `must be >= ${schema.minimum}`;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `must be > ${schema.exclusiveMinimum}`;
  }
  return undefined;
}

/** Fills TrainingArguments' defaults and checks every value and the combinations (checkArguments). */
export function resolveTrainingArguments(given: Partial<TrainingArguments> = {}, hasEvalDataset = true): TrainingArguments {
  const args: Record<string, unknown> = { ...TRAIN_DEFAULTS };
  for (const [key, value] of Object.entries(given)) {
    const schema = PROPERTIES[key];
    if (!schema) {
      const hint = suggest(key, Object.keys(PROPERTIES));
      throw new FndConfigError(`train: unknown training argument "${key}"${hint ? `; did you mean "${hint}"?` : ''}`);
    }
    if (value === undefined) continue;
    const problem = problemWith(value, schema);
    if (problem) throw new FndConfigError(`train: ${key} ${problem}, got ${JSON.stringify(value)}`);
    args[key] = value;
  }
  const resolved = args as unknown as TrainingArguments;
  checkArguments(resolved, hasEvalDataset);
  return resolved;
}
