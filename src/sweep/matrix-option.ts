/**
 * `--matrix PATH=v1,v2,...` from the command line, merged with the spec's `matrix:` map.
 * The values are read as a YAML flow list, so `2e-5,5e-5` are numbers and `[1,2],[3]` are lists.
 */
import { parse } from 'yaml';
import { FndError } from '../util/errors.js';

export type Matrix = Record<string, unknown[]>;

export function parseMatrixOption(text: string): [string, unknown[]] {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  const valuesText = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (key === '' || valuesText === '') {
    throw new FndError(`--matrix ${text}: expected PATH=V1,V2,..., e.g. --matrix stages.train.with.learning_rate=2e-5,5e-5`, { exitCode: 2 });
  }
  let values: unknown;
  try {
    values = parse(`[${valuesText}]`);
  } catch (error) {
    throw new FndError(`--matrix ${text}: cannot read "${valuesText}" as a comma-separated list of values (${(error as Error).message.split('\n')[0]})`, { exitCode: 2 });
  }
  if (!Array.isArray(values) || values.length === 0) throw new FndError(`--matrix ${text}: no values`, { exitCode: 2 });
  return [key, values];
}

/** The spec's matrix with the command line's keys added after it (a key given in both: the command line's values). */
export function mergeMatrix(specMatrix: Matrix | undefined, options: readonly string[]): { matrix: Matrix; cliKeys: Set<string> } {
  const matrix: Matrix = { ...(specMatrix ?? {}) };
  const cliKeys = new Set<string>();
  for (const text of options) {
    const [key, values] = parseMatrixOption(text);
    if (cliKeys.has(key)) throw new FndError(`--matrix ${key} is given twice; list every value in one --matrix ${key}=V1,V2`, { exitCode: 2 });
    matrix[key] = values;
    cliKeys.add(key);
  }
  return { matrix, cliKeys };
}
