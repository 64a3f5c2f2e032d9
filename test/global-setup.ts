/**
 * Tests that run the `fnd` executable (bin/fnd.mjs) run the built dist/, as users do. So that
 * they never test a stale build, dist/ is rebuilt first whenever a source is newer than it
 * (`scripts/build.mjs --if-stale` decides; a no-op when nothing changed).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export default function setup(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
}
