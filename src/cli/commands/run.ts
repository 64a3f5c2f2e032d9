import { resolve } from 'node:path';
import { defineCommand, jsonOption } from '../command.js';
import { prepareOptionsFrom, specOptions } from '../shared-options.js';
import { runPipeline } from '../../engine/run-pipeline.js';
import { reporterFor } from '../reporter.js';
import { FndError } from '../../util/errors.js';
import { withInterrupts } from '../interrupt.js';

/** A run label is one line of visible text. */
function label(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '' || /[\r\n]/.test(text)) throw new FndError(`${flag} needs a non-empty, one-line value (got ${JSON.stringify(String(value))})`, { exitCode: 2 });
  return text;
}

export default defineCommand({
  name: 'run',
  summary: 'Run a pipeline spec. Stages whose signature is in the cache are restored instead of run; the run is recorded in runs/<id>/.',
  positionals: [{ name: 'spec', required: true }],
  options: [
    ...specOptions,
    { name: 'jobs', short: 'j', type: 'string', valueName: 'N', description: 'run up to N independent stages at once (default 1)' },
    jsonOption,
    { name: 'plain', type: 'boolean', description: 'one line per event even on a terminal' },
    { name: 'verbose', type: 'boolean', description: 'also print debug messages of stages' },
    { name: 'name', type: 'string', valueName: 'NAME', description: 'a name for this run, shown by fnd runs and in its report' },
    { name: 'tag', type: 'string[]', valueName: 'TAG', description: 'a tag for this run (repeatable), shown by fnd runs' },
  ],
  async run(args, io) {
    const spec = args.positionals.spec as string;
    const jobs = args.options.jobs === undefined ? 1 : Number(args.options.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new FndError(`--jobs must be a positive integer, got "${args.options.jobs}"`, { exitCode: 2 });
    const name = label(args.options.name, '--name');
    const tags = ((args.options.tag as string[] | undefined) ?? []).map((tag) => label(tag, '--tag')!);
    const reporter = await reporterFor(args, io);
    return withInterrupts(io, 'stopping running stages (completed stages stay cached)', async (signal) => {
      const outcome = await runPipeline(resolve(io.cwd, spec), {
        ...prepareOptionsFrom(args, io.env),
        jobs,
        reporter,
        signal,
        specAsGiven: spec,
        ...(name !== undefined ? { name } : {}),
        ...(tags.length > 0 ? { tags } : {}),
      });
      await reporter.close();
      if (outcome.status === 'failed' && outcome.record.error) io.stderr.write(`error: ${outcome.record.error}\n`);
      return outcome.status === 'completed' ? 0 : outcome.status === 'interrupted' ? 130 : 1;
    });
  },
});
