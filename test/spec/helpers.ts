/** Test helpers: spec files in temp dirs and small plugin descriptions (plain data). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { PluginInfo, PluginLookup } from '../../src/spec/index.js';
import { FndError } from '../../src/util/errors.js';

/** A temp dir removed after the test file; `write(name, text)` puts a spec in it and returns its path. */
export function specDir(): { dir: string; write(name: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'fnd-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
  };
}

/** Runs `fn` and returns the FndError it throws (failing the test when it does not throw one). */
export async function userError(fn: () => unknown): Promise<FndError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof FndError) return error;
    throw error;
  }
  throw new Error('expected an FndError');
}

export const plugins: PluginInfo[] = [
  {
    name: 'load-csv',
    params: {
      type: 'object',
      properties: { files: { type: 'array' }, delimiter: { type: 'string', default: ',' } },
      required: ['files'],
    },
    inputs: {},
    outputs: { table: { kind: 'table' } },
  },
  {
    name: 'concat-title-text',
    params: { type: 'object', properties: { separator: { type: 'string', default: ' ' } } },
    inputs: { table: { kind: 'table' } },
    outputs: { table: { kind: 'table' } },
  },
  {
    name: 'split',
    params: {
      type: 'object',
      properties: { test_size: { type: 'number', default: 0.2 }, seed: { type: 'integer' } },
      additionalProperties: false,
    },
    inputs: { table: { kind: 'table' } },
    outputs: { train: { kind: 'table' }, test: { kind: 'table' } },
  },
  {
    name: 'tokenize',
    params: {
      type: 'object',
      properties: { max_length: { type: 'integer', minimum: 8, default: 512 }, lowercase: { type: 'boolean', default: true } },
    },
    inputs: { table: { kind: 'table' } },
    outputs: { tokens: { kind: 'tokens' } },
  },
  {
    name: 'train',
    params: {
      type: 'object',
      properties: {
        learning_rate: { type: 'number', default: 5e-5 },
        epochs: { type: 'integer', minimum: 1, default: 3 },
        optimizer: { enum: ['adamw', 'sgd'], default: 'adamw' },
        seed: { type: 'integer', default: 0 },
      },
      additionalProperties: false,
    },
    inputs: { tokens: { kind: 'tokens' }, eval: { kind: 'tokens', optional: true } },
    outputs: { model: { kind: 'model' } },
  },
  {
    name: 'evaluate',
    params: { type: 'object', properties: {} },
    inputs: { model: { kind: 'model' }, tokens: { kind: 'tokens' } },
    outputs: { metrics: { kind: 'metrics' } },
  },
];

export const registry: PluginLookup = {
  get: (name) => plugins.find((p) => p.name === name),
  names: () => plugins.map((p) => p.name),
};
