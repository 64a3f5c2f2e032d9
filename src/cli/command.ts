/**
 * A CLI command is data (name, options, positionals) plus a `run` function. `src/cli/main.ts`
 * parses argv against that data, so help text and parsing never disagree.
 */

export type OptionType = 'string' | 'boolean' | 'string[]';

export interface CommandOption {
  /** Long name without dashes, e.g. "max-length". */
  name: string;
  short?: string;
  type: OptionType;
  description: string;
  /** Placeholder shown in help, e.g. "N". */
  valueName?: string;
}

export interface Positional {
  name: string;
  required?: boolean;
  /** Takes every remaining positional. */
  variadic?: boolean;
}

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is an interactive terminal (live progress) or a pipe/file (plain lines). */
  isTTY: boolean;
}

export interface ParsedArgs {
  /** Option values by long name; repeated `string[]` options collect into arrays. */
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: Record<string, string | string[] | undefined>;
}

export interface Command {
  name: string;
  summary: string;
  options: CommandOption[];
  positionals: Positional[];
  /** Returns the process exit code. Throws FndError for user errors (printed without a stack). */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export function defineCommand(command: Command): Command {
  return command;
}

/** Options several commands share, declared once. */
export const setOption: CommandOption = {
  name: 'set',
  type: 'string[]',
  valueName: 'PATH=VALUE',
  description: 'override a value in the spec, e.g. stages.train.with.learning_rate=3e-5 or vars.x=1 (repeatable)',
};

export const jsonOption: CommandOption = { name: 'json', type: 'boolean', description: 'machine-readable JSON output' };
