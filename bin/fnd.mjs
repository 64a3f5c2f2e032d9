#!/usr/bin/env node
import { boot } from './boot.mjs';

// `fnd runs | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await boot(process.argv.slice(2));
