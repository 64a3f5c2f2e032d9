import type { CommandOption, ParsedArgs } from './command.js';
import type { PrepareOptions } from '../engine/prepare.js';

/** Options every spec-reading command takes (run, status, validate, sweep), declared once. */
export const specOptions: CommandOption[] = [
  {
    name: 'set',
    type: 'string[]',
    valueName: 'PATH=VALUE',
    description: 'override a value of the spec, e.g. stages.train.with.learning_rate=3e-5, train.with.seed=7 or vars.x=1',
  },
  { name: 'cache-dir', type: 'string', valueName: 'DIR', description: 'cache location (default <project>/.fnd, or $FND_CACHE_DIR)' },
  { name: 'runs-dir', type: 'string', valueName: 'DIR', description: 'where runs are recorded (default <project>/runs, or $FND_RUNS_DIR)' },
  { name: 'backend', type: 'string', valueName: 'NAME', description: 'force a tensor backend: tensorflow-gpu, tensorflow, wasm-blas, wasm or cpu (same as $FND_BACKEND)' },
];

export function prepareOptionsFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): PrepareOptions {
  if (typeof args.options.backend === 'string') env.FND_BACKEND = args.options.backend;
  return {
    sets: (args.options.set as string[] | undefined) ?? [],
    cacheDir: args.options['cache-dir'] as string | undefined,
    runsDir: args.options['runs-dir'] as string | undefined,
    env,
  };
}
