import type { CliIO, ParsedArgs } from './command.js';
import type { Reporter } from '../engine/events.js';
import { jsonReporter } from '../engine/reporters/json.js';
import { listrReporter } from '../engine/reporters/listr.js';
import { plainReporter } from '../engine/reporters/plain.js';

/** listr2 on a terminal, plain lines otherwise (or with --plain), JSON lines with --json. */
export function reporterFor(args: ParsedArgs, io: CliIO): Reporter {
  if (args.options.json) return jsonReporter(io.stdout);
  if (io.isTTY && !args.options.plain && !io.env.CI) return listrReporter(io.stdout);
  return plainReporter(io.stdout, { verbose: Boolean(args.options.verbose) });
}
