/**
 * Errors a user can cause. The CLI prints `error.message` alone (no stack) and exits non-zero;
 * everything else is a bug and is printed with its stack.
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

export class FndError extends Error {
  override name = 'FndError';
  /** Process exit code the CLI uses for this error. 2 = invalid spec or usage, 1 = failure while running. */
  readonly exitCode: number;
  readonly location?: SourceLocation;

  constructor(message: string, options: { location?: SourceLocation; exitCode?: number; cause?: unknown } = {}) {
    super(options.location ? `${formatLocation(options.location)}: ${message}` : message, { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
    this.location = options.location;
  }
}

/** Several user errors found in one pass (a spec with three mistakes reports all three). */
export class FndErrors extends FndError {
  override name = 'FndErrors';
  readonly errors: FndError[];
  constructor(errors: FndError[], exitCode = 2) {
    super(errors.map((e) => e.message).join('\n'), { exitCode });
    this.errors = errors;
  }
}

const USER_ERROR_NAMES = new Set(['FndError', 'FndErrors', 'StageUserError']);

/**
 * By name, not instanceof: a project's stage plugin is bundled separately and carries its own
 * copy of these classes.
 */
export function isUserError(error: unknown): error is FndError {
  return error instanceof Error && (USER_ERROR_NAMES.has(error.name) || error instanceof FndError);
}

/** The exit code a user error asks for (2 = invalid spec or usage, 1 = failure while running). */
export function exitCodeOf(error: FndError): number {
  return typeof error.exitCode === 'number' ? error.exitCode : 1;
}
