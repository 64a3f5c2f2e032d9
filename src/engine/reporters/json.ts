import type { EngineEvent, Reporter } from '../events.js';

/** `--json`: every engine event as one JSON object per line, for other programs. */
export function jsonReporter(out: NodeJS.WritableStream): Reporter {
  return {
    onEvent: (event: EngineEvent) => void out.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`),
    close: async () => {},
  };
}
