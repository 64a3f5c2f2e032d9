/**
 * Errors a user can cause. Library functions throw `FndError` subclasses whose `code` says what
 * kind of mistake it is (a bad config, bad data, a bad model folder, training that diverged...);
 * the CLI prints `error.message` alone (no stack) and picks the exit code from the code
 * (`exitCodeFor`). Everything else is a bug and is printed with its stack.
 *
 *   FndError            FND_ERROR      a failure while running            exit 1
 *   FndUsageError       FND_USAGE      invalid command-line usage          exit 2
 *   FndSpecError        FND_SPEC       invalid pipeline spec               exit 2
 *   FndConfigError      FND_CONFIG     invalid settings passed to a function (model config,
 *                                      training arguments, backend name)   exit 2
 *   FndDataError        FND_DATA       input data missing or malformed      exit 1
 *   FndModelError       FND_MODEL      model folder / checkpoint unusable   exit 1
 *   FndTrainingError    FND_TRAINING   training cannot go on (diverged, out of memory) exit 1
 *   FndBackendError     FND_BACKEND    no tensor backend could be started   exit 1
 */

/** A place in a source file, 1-based, as editors show it. */
export interface SourceLocation {
  file: string;
  line?: number;
  col?: number;
}

export function formatLocation(loc: SourceLocation): string {
  if (loc.line === undefined) return loc.file;
  return `${loc.file}:${loc.line}:${loc.col ?? 1}`;
}

export type FndErrorCode =
  | 'FND_ERROR'
  | 'FND_USAGE'
  | 'FND_SPEC'
  | 'FND_CONFIG'
  | 'FND_DATA'
  | 'FND_MODEL'
  | 'FND_TRAINING'
  | 'FND_BACKEND'
  | 'FND_STORAGE';

/** The exit code the CLI uses for each error code (README: 1 a failure while running, 2 invalid spec or usage). */
export const EXIT_CODES: Readonly<Record<FndErrorCode, number>> = Object.freeze({
  FND_ERROR: 1,
  FND_USAGE: 2,
  FND_SPEC: 2,
  FND_CONFIG: 2,
  FND_DATA: 1,
  FND_MODEL: 1,
  FND_TRAINING: 1,
  FND_BACKEND: 1,
  FND_STORAGE: 1,
});

export interface FndErrorOptions {
  location?: SourceLocation;
  cause?: unknown;
  code?: FndErrorCode;
  /**
   * @deprecated Pass `code` (or throw the subclass). Kept so older call sites keep their meaning:
   * 2 becomes FND_USAGE, anything else FND_ERROR.
   */
  exitCode?: number;
}

export class FndError extends Error {
  override name = 'FndError';
  /** What kind of error this is; stable, for programs to branch on. */
  readonly code: FndErrorCode;
  readonly location?: SourceLocation;

  constructor(message: string, options: FndErrorOptions = {}) {
    super(options.location ? `${formatLocation(options.location)}: ${message}` : message, { cause: options.cause });
    this.code = options.code ?? (options.exitCode === 2 ? 'FND_USAGE' : 'FND_ERROR');
    this.location = options.location;
  }

  /** @deprecated The CLI's exit code for this error; use `code` (exit codes are the CLI's business). */
  get exitCode(): number {
    return exitCodeFor(this);
  }
}

type SubclassOptions = Omit<FndErrorOptions, 'code' | 'exitCode'>;

/** Invalid command-line usage (unknown command, bad option value). */
export class FndUsageError extends FndError {
  override name = 'FndUsageError';
  constructor(message: string, options: SubclassOptions = {}) {
    super(message, { ...options, code: 'FND_USAGE' });
  }
}

/** An invalid pipeline spec (YAML, schema, graph). */
export class FndSpecError extends FndError {
  override name = 'FndSpecError';
  constructor(message: string, options: SubclassOptions = {}) {
    super(message, { ...options, code: 'FND_SPEC' });
  }
}

/** Invalid settings given to a function: a model config, training arguments, a backend name. */
export class FndConfigError extends FndError {
  override name = 'FndConfigError';
  constructor(message: string, options: SubclassOptions = {}) {
    super(message, { ...options, code: 'FND_CONFIG' });
  }
}

/** Input data missing or malformed (a table, a token file, a row without a label). */
export class FndDataError extends FndError {
  override name = 'FndDataError';
  constructor(message: string, options: SubclassOptions = {}) {
    super(message, { ...options, code: 'FND_DATA' });
  }
}

/** A model folder, checkpoint or weights file that cannot be used. */
export class FndModelError extends FndError {
  override name = 'FndModelError';
  constructor(message: string, options: SubclassOptions = {}) {
    super(message, { ...options, code: 'FND_MODEL' });
  }
}

/** Training that cannot go on: a diverged loss, a batch that does not fit in memory. */
export class FndTrainingError extends FndError {
  override name = 'FndTrainingError';
  constructor(message: string, options: SubclassOptions = {}) {
    super(message, { ...options, code: 'FND_TRAINING' });
  }
}

/** No tensor backend could be started. */
export class FndBackendError extends FndError {
  override name = 'FndBackendError';
  constructor(message: string, options: SubclassOptions = {}) {
    super(message, { ...options, code: 'FND_BACKEND' });
  }
}

/** Several user errors found in one pass (a spec with three mistakes reports all three). */
export class FndErrors extends FndError {
  override name = 'FndErrors';
  readonly errors: FndError[];
  constructor(errors: FndError[], code: FndErrorCode | number = 'FND_USAGE') {
    // A number is the deprecated exit-code form of the second argument.
    const resolved: FndErrorCode = typeof code === 'number' ? (code === 2 ? 'FND_USAGE' : 'FND_ERROR') : code;
    super(errors.map((e) => e.message).join('\n'), { code: resolved });
    this.errors = errors;
  }
}

const USER_ERROR_NAMES = new Set([
  'FndError', 'FndErrors', 'FndUsageError', 'FndSpecError', 'FndConfigError', 'FndDataError',
  'FndModelError', 'FndTrainingError', 'FndBackendError', 'StageUserError',
]);

/**
 * By name, not instanceof: a project's stage plugin is bundled separately and carries its own
 * copy of these classes.
 */
export function isUserError(error: unknown): error is FndError {
  return error instanceof Error && (USER_ERROR_NAMES.has(error.name) || error instanceof FndError);
}

/** The exit code for a user error (see EXIT_CODES); errors from another copy of fnd map by their code too. */
export function exitCodeFor(error: { code?: unknown }): number {
  const code = error.code;
  return typeof code === 'string' && code in EXIT_CODES ? EXIT_CODES[code as FndErrorCode] : 1;
}

/** @deprecated Use exitCodeFor. */
export const exitCodeOf = exitCodeFor;
