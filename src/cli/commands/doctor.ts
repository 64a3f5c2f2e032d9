/**
 * `fnd doctor`: which tensor backend fnd will use on this machine, and why each better one is
 * not used (not installed, no GPU, no BLAS, failed to load), plus the facts that explain speed.
 */
import { defineCommand, jsonOption, type CliIO } from '../command.js';
import { describeBackends, initBackend, type BackendInfo, type BackendReport } from '../../nn/backend/index.js';
import { keyValueLines } from '../../format/table.js';

export default defineCommand({
  name: 'doctor',
  summary: 'show the tensor backend fnd uses here and why the others are not used',
  options: [jsonOption],
  positionals: [],
  async run(args, io) {
    const report = describeBackends(io.env);
    // Starting the backend is the only way to know that it loads; for wasm this takes milliseconds.
    const chosen = await initBackend({ env: io.env });
    if (args.options.json) {
      io.stdout.write(`${JSON.stringify({ chosen, ...report }, null, 2)}\n`);
      return 0;
    }
    writeText(io, chosen, report);
    return 0;
  },
});

function writeText(io: CliIO, chosen: BackendInfo, report: BackendReport): void {
  const lines: string[] = [];
  lines.push(`backend: ${chosen.name}${report.forced ? ` (forced by FND_BACKEND=${report.forced})` : ''}`);
  for (const note of chosen.notes) lines.push(`  ${note}`);
  lines.push('candidates, best first:');
  lines.push(
    keyValueLines(
      report.candidates.map((c): [string, string] => {
        const reason = chosen.reasons[c.name];
        return [c.name, reason === 'chosen' ? 'chosen' : `not chosen: ${reason}`];
      }),
      '  ',
    ),
  );
  lines.push(`tfjs: ${chosen.tfjs}`);
  lines.push(`node: ${report.node} (${report.platform})`);
  lines.push(`cores: ${report.cores}${report.cpuModel ? ` (${report.cpuModel})` : ''}`);
  // An optional build that failed must not go unnoticed: say so, and how to get it.
  lines.push(report.nativeKernels.startsWith('loaded') ? `native kernels (fnd-kernels, fnd's GEMM): ${report.nativeKernels}` : `native kernels: NOT LOADED: matrix products and training run on plain wasm, many times slower. ${report.nativeKernels.replace(/^not loaded: /, '')}`);
  if (chosen.threads !== undefined) lines.push(`threads: ${chosen.threads}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
