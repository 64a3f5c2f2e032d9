/**
 * The `fnd` executable's body (bin/fnd.mjs imports the built copy of this file): runs main()
 * with the process's arguments and sets the exit code.
 */
import { main } from './main.js';

// `fnd runs | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await main(process.argv.slice(2));
