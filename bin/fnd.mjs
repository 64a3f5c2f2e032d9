#!/usr/bin/env node
// The fnd CLI runs the JavaScript built into dist/ (`npm run build`; `npm install` builds it
// through `prepare`). FND_FROM_SOURCE=1 runs the TypeScript sources through tsx instead (for
// working on fnd itself without rebuilding; tsx is a development dependency).
import { existsSync } from 'node:fs';

if (process.env.FND_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/bin.ts');
} else {
  const built = new URL('../dist/src/cli/bin.js', import.meta.url);
  if (!existsSync(built)) {
    process.stderr.write('error: fnd is not built (no dist/): run `npm run build` in the fnd folder\n');
    process.exit(2);
  }
  await import(built.href);
}
