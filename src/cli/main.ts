import { exitCodeFor, isUserError, FndUsageError } from '../util/errors.js';
import { suggest } from '../util/suggest.js';
import type { CliIO, Command } from './command.js';
import { commandHelp, parseCommandArgs } from './parse.js';

/**
 * Commands are imported only when used, so `fnd status` never loads the tensor engine.
 * Order here is the order of `fnd --help`.
 */
const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  run: () => import('./commands/run.js'),
  status: () => import('./commands/status.js'),
  validate: () => import('./commands/validate.js'),
  runs: () => import('./commands/runs.js'),
  show: () => import('./commands/show.js'),
  diff: () => import('./commands/diff.js'),
  sweep: () => import('./commands/sweep.js'),
  compare: () => import('./commands/compare.js'),
  report: () => import('./commands/report.js'),
  stages: () => import('./commands/stages.js'),
  cache: () => import('./commands/cache.js'),
  tokenize: () => import('./commands/tokenize.js'),
  predict: () => import('./commands/predict.js'),
  doctor: () => import('./commands/doctor.js'),
};

const SUMMARIES: Record<string, string> = {
  run: 'run a pipeline spec; stages whose inputs did not change are restored from the cache',
  status: 'show which stages of a spec are cached and why the others would run',
  validate: 'check a spec (schema, plugins, params, wiring) without running it',
  runs: 'list recorded runs, newest first',
  show: 'show one run: stages, params, metrics, files',
  diff: 'compare two runs: params that differ and every metric with its delta',
  sweep: "run every variant of a spec's matrix, sharing upstream stages; rerunning resumes an interrupted sweep",
  compare: 'one table for many runs or a sweep: params that vary and chosen metrics, sorted and filtered',
  report: 'write a self-contained HTML report of a run or a sweep (tables, charts, learning curves, confusion matrices)',
  stages: 'list the stage plugins (built-in and the project\'s stages/) with their params',
  cache: 'manage the cache (gc: remove entries no run references)',
  tokenize: 'tokenize text with a BERT WordPiece tokenizer (JSON lines in, JSON lines out)',
  predict: 'classify text with a saved model folder or a run\'s model (JSON lines out)',
  doctor: 'show the tensor backend fnd would use, and why the others are not used',
};

function defaultIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(SUMMARIES).map((name) => name.length));
  const lines = ['usage: fnd <command> [options]', '', 'commands:'];
  for (const name of Object.keys(COMMANDS)) lines.push(`  ${name.padEnd(width)}  ${SUMMARIES[name] ?? ''}`);
  lines.push('', 'fnd <command> --help shows a command\'s options.');
  return `${lines.join('\n')}\n`;
}

/** The only place that turns errors into exit codes. Returns the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === '__stage-worker') {
      const { workerMain } = await import('../engine/worker.js');
      return await workerMain();
    }
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(mainHelp());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      const { fndVersion } = await import('../engine/environment.js');
      io.stdout.write(`${fndVersion()}\n`);
      return 0;
    }
    const load = COMMANDS[name];
    if (!load) {
      const hint = suggest(name, Object.keys(COMMANDS));
      throw new FndUsageError(`unknown command "${name}"${hint ? `; did you mean "${hint}"?` : ''} (see fnd --help)`);
    }
    const command = (await load()).default;
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run(parseCommandArgs(command, rest), io);
  } catch (error) {
    if (isUserError(error)) {
      io.stderr.write(`error: ${error.message}\n`);
      return exitCodeFor(error);
    }
    io.stderr.write(`internal error (a bug in fnd; please report it):\n${error instanceof Error ? error.stack : String(error)}\n`);
    return 70;
  }
}
