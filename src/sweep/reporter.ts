/**
 * Reporters for the variants of a sweep. Variants may run at once, so a live (listr) display per
 * variant would fight over the terminal: each variant's events go out as plain lines prefixed
 * with its name, or as JSON lines carrying a `variant` field.
 */
import { Writable } from 'node:stream';
import type { EngineEvent, Reporter } from '../engine/events.js';
import { plainReporter } from '../engine/reporters/plain.js';

/** A stream that writes each complete line to `out` with `prefix` in front. */
function prefixedStream(out: NodeJS.WritableStream, prefix: string): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix}${line}\n`);
      callback();
    },
    final(callback) {
      if (pending !== '') out.write(`${prefix}${pending}\n`);
      callback();
    },
  });
}

export function variantReporter(out: NodeJS.WritableStream, variant: string, options: { json?: boolean; verbose?: boolean } = {}): Reporter {
  if (options.json) {
    return {
      onEvent: (event: EngineEvent) => void out.write(`${JSON.stringify({ time: new Date().toISOString(), variant, ...event })}\n`),
      close: async () => {},
    };
  }
  const stream = prefixedStream(out, `[${variant}] `);
  const inner = plainReporter(stream, { verbose: Boolean(options.verbose) });
  return {
    onEvent: (event) => inner.onEvent(event),
    close: async () => {
      await inner.close();
      await new Promise<void>((resolve) => stream.end(resolve));
    },
  };
}
