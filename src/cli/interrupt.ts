import type { CliIO } from './command.js';

/**
 * Ctrl-C (or SIGTERM) while `work` runs: the first one aborts the signal so the engine stops
 * running stages cleanly and records what it has; a second one quits at once.
 */
export async function withInterrupts<T>(io: CliIO, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) {
      io.stderr.write(`\ninterrupting: ${what}; press Ctrl-C again to quit at once\n`);
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
