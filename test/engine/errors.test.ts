/** Typed errors: each library error kind has a code; the CLI alone turns codes into exit codes. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FndError, FndBackendError, FndConfigError, FndDataError, FndModelError, FndSpecError, FndTrainingError, FndUsageError,
  StageUserError, initModel, loadModel,
} from '../../src/index.js';
import { exitCodeFor, isUserError } from '../../src/util/errors.js';
import { fnd } from './project.js';

describe('typed errors', () => {
  it('every subclass is an FndError with its code, and maps to the README\'s exit codes', () => {
    const cases: [FndError, string, number][] = [
      [new FndError('x'), 'FND_ERROR', 1],
      [new FndUsageError('x'), 'FND_USAGE', 2],
      [new FndSpecError('x'), 'FND_SPEC', 2],
      [new FndConfigError('x'), 'FND_CONFIG', 2],
      [new FndDataError('x'), 'FND_DATA', 1],
      [new FndModelError('x'), 'FND_MODEL', 1],
      [new FndTrainingError('x'), 'FND_TRAINING', 1],
      [new FndBackendError('x'), 'FND_BACKEND', 1],
      [new StageUserError('x'), 'FND_ERROR', 1],
    ];
    for (const [error, code, exit] of cases) {
      expect(error).toBeInstanceOf(FndError);
      expect(error.code).toBe(code);
      expect(isUserError(error)).toBe(true);
      expect(exitCodeFor(error)).toBe(exit);
    }
    // An error from another copy of fnd (a bundled project plugin) maps by its code alone.
    expect(exitCodeFor({ code: 'FND_CONFIG' })).toBe(2);
    // The deprecated exitCode option keeps its meaning.
    expect(new FndError('x', { exitCode: 2 }).code).toBe('FND_USAGE');
  });

  it('library functions throw the matching kind', async () => {
    expect(() => initModel({ hiden_size: 3 } as never)).toThrow(FndConfigError);
    const empty = mkdtempSync(join(tmpdir(), 'fnd-not-a-model-'));
    await expect(loadModel(empty)).rejects.toBeInstanceOf(FndModelError);
  });

  it('the CLI maps a library FndConfigError to exit 2 with one line and no stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fnd-cli-errors-'));
    // initBackend's FndConfigError for a backend name that does not exist.
    const result = await fnd(dir, ['doctor'], { env: { FND_BACKEND: 'gpu-please' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: unknown backend "gpu-please" (FND_BACKEND=gpu-please). Valid backends: tensorflow-gpu, tensorflow, wasm-blas, wasm, cpu.');
    expect(result.stderr).not.toMatch(/\bat \w+.*:\d+:\d+/);
  });
});
