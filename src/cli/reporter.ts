import type { CliIO, ParsedArgs } from './command.js';
import type { Reporter } from '../engine/events.js';

/**
 * listr2 on a terminal, plain lines otherwise (or with --plain), JSON lines with --json.
 * Renderers are imported on demand: listr2 alone costs a noticeable share of start-up.
 */
export async function reporterFor(args: ParsedArgs, io: CliIO): Promise<Reporter> {
  if (args.options.json) return (await import('../engine/reporters/json.js')).jsonReporter(io.stdout);
  if (io.isTTY && !args.options.plain && !io.env.CI) return (await import('../engine/reporters/listr.js')).listrReporter(io.stdout);
  return (await import('../engine/reporters/plain.js')).plainReporter(io.stdout, { verbose: Boolean(args.options.verbose) });
}
