#!/usr/bin/env node
/**
 * fnd's `install` script: builds the optional native kernels (native/fnd-kernels) with node-gyp.
 *
 * They make training several times faster, and fnd works without them (JavaScript kernels run
 * instead), so a machine without a C++ compiler must still install: a failed build prints one
 * note saying why and how to build later, and the install goes on. Set FND_REQUIRE_NATIVE=1 to
 * make a failed build fail (CI does, so a missing build is never silent), FND_SKIP_NATIVE=1 to
 * skip it. The build is skipped when the compiled addon is newer than its sources (--force
 * rebuilds anyway).
 *
 *   node scripts/build-native.mjs [--force]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const addonDir = join(root, 'native', 'fnd-kernels');
const built = join(addonDir, 'build', 'Release', 'fnd_kernels.node');
const required = process.env.FND_REQUIRE_NATIVE === '1';

function newestSource() {
  const files = [join(addonDir, 'binding.gyp'), ...readdirSync(join(addonDir, 'src')).map((name) => join(addonDir, 'src', name))];
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

/** node-gyp as npm runs it (npm_config_node_gyp), else one on PATH. */
function nodeGypCommand() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, [fromNpm]];
  const npmBundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(npmBundled)) return [process.execPath, [npmBundled]];
  return ['node-gyp', []];
}

/** Node's own headers, when this Node ships them (Debian's nodejs, official tarballs): no download needed. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function note(message) {
  process.stderr.write(`fnd: ${message}\n`);
}

if (process.env.FND_SKIP_NATIVE === '1') {
  note('native kernels not built (FND_SKIP_NATIVE=1); fnd uses its JavaScript kernels');
} else if (!process.argv.includes('--force') && existsSync(built) && statSync(built).mtimeMs >= newestSource()) {
  note(`native kernels up to date (${built})`);
} else {
  const [command, prefixArgs] = nodeGypCommand();
  try {
    execFileSync(command, [...prefixArgs, 'rebuild', ...nodedirArgs()], { cwd: addonDir, stdio: ['ignore', 'pipe', 'pipe'] });
    note(`native kernels built (${built})`);
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n').filter((line) => /error|not found|ENOENT/i.test(line));
    const reason = output.slice(0, 3).join(' | ') || error.message.split('\n')[0];
    note(
      `native kernels NOT built (${reason}).\n` +
        '     fnd works without them, with slower training. To build them, install a C++ compiler, make and python3\n' +
        "     (Debian/Ubuntu: `apt-get install g++ make python3`, or `npm run setup` in an fnd checkout), then run\n" +
        `     \`node ${join(root, 'scripts', 'build-native.mjs')}\`. \`npx fnd doctor\` shows what fnd uses.`,
    );
    if (required) {
      note('FND_REQUIRE_NATIVE=1: failing the install');
      process.exitCode = 1;
    }
  }
}
