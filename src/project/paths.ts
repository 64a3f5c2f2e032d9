import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ProjectPaths {
  /** Nearest folder above the spec holding package.json, .fnd/ or stages/ (else the spec's folder). */
  projectDir: string;
  specDir: string;
  cacheDir: string;
  runsDir: string;
}

export function findProjectDir(startDir: string): string {
  let dir = resolve(startDir);
  for (;;) {
    if (['package.json', '.fnd', 'stages'].some((marker) => existsSync(join(dir, marker)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(startDir);
    dir = parent;
  }
}

export function projectPaths(specFile: string, overrides: { cacheDir?: string; runsDir?: string; env?: NodeJS.ProcessEnv } = {}): ProjectPaths {
  const specDir = dirname(resolve(specFile));
  const projectDir = findProjectDir(specDir);
  const env = overrides.env ?? process.env;
  return {
    projectDir,
    specDir,
    cacheDir: resolve(overrides.cacheDir ?? env.FND_CACHE_DIR ?? join(projectDir, '.fnd')),
    runsDir: resolve(overrides.runsDir ?? env.FND_RUNS_DIR ?? join(projectDir, 'runs')),
  };
}
