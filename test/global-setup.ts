/**
 * Tests that run the `fnd` executable (bin/fnd.mjs) run the built dist/, as users do. So that
 * they never test a stale build, dist/ is rebuilt first whenever a source file is newer than it
 * (`npm run build`; a no-op when nothing changed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const stamp = join(root, 'dist', '.build-stamp');
  const sources = Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'stages')), newestSource(join(root, 'schemas')), statSync(join(root, 'package.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
