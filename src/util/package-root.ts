/**
 * Where fnd's own package is, and whether this process runs its TypeScript sources (tests,
 * `FND_FROM_SOURCE=1`, a TypeScript loader) or the JavaScript built into dist/. Code that spawns
 * fnd's own modules (stage workers, tokenizer threads) or reads files shipped beside them asks
 * here, so the answer is the same from src/ and from dist/src/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this module was loaded as .ts (a TypeScript loader is active), false when built. */
export const runningFromSource = import.meta.url.endsWith('.ts');

/** The extension fnd's own modules have in this process: `.ts` from source, `.js` from dist. */
export const moduleExtension = runningFromSource ? '.ts' : '.js';

function findPackageRoot(): string {
  // src/util/ from source, dist/src/util/ when built: the first folder up with a package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`fnd: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** fnd's package folder (holding package.json, bin/, native/, and dist/ once built). */
export const packageRoot = findPackageRoot();
