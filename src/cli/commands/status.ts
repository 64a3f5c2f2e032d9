import { resolve } from 'node:path';
import { defineCommand, jsonOption } from '../command.js';
import { prepareOptionsFrom, specOptions } from '../shared-options.js';
import { preparePipeline } from '../../engine/prepare.js';
import { planPipeline } from '../../engine/plan.js';
import { textTable } from '../../format/table.js';

export default defineCommand({
  name: 'status',
  summary: 'For every stage of a spec: cached, or will run and every reason why (the --set change first; param, input, code, backend changes), decided as fnd run decides.',
  positionals: [{ name: 'spec', required: true }],
  options: [...specOptions, jsonOption],
  async run(args, io) {
    const prepared = await preparePipeline(resolve(io.cwd, args.positionals.spec as string), prepareOptionsFrom(args, io.env));
    const plans = await planPipeline(prepared);
    if (args.options.json) {
      io.stdout.write(`${JSON.stringify(plans, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(
      textTable(
        ['stage', 'plugin', 'status', 'reason'],
        plans.map((plan) => [plan.stageId, plan.plugin, plan.status, plan.reasons.join('; ')]),
      ) + '\n',
    );
    const stale = plans.filter((plan) => plan.status === 'will run').length;
    io.stdout.write(`${stale === 0 ? 'everything is cached' : `${stale} of ${plans.length} stages will run`}\n`);
    return 0;
  },
});
