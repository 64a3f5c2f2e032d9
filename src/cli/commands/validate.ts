import { resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { prepareOptionsFrom, specOptions } from '../shared-options.js';
import { preparePipeline } from '../../engine/prepare.js';

export default defineCommand({
  name: 'validate',
  summary: 'Check a spec without running it: YAML, schema, plugins and their params, wiring, cycles. Exits 0 when valid, 2 otherwise.',
  positionals: [{ name: 'spec', required: true }],
  options: specOptions,
  async run(args, io) {
    const spec = args.positionals.spec as string;
    const prepared = await preparePipeline(resolve(io.cwd, spec), prepareOptionsFrom(args, io.env));
    io.stdout.write(`${spec}: valid (${prepared.pipeline.stages.length} stages: ${prepared.pipeline.order.join(' → ')})\n`);
    return 0;
  },
});
