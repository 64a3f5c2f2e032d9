import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256 } from '../hash/canonical.js';
import { FndError } from '../util/errors.js';
import { writeFileAtomic } from './atomic.js';
import { listDir } from './fsutil.js';
import type { StoreLayout } from './layout.js';

/**
 * The projects whose runs use a cache directory (`projects/<key>.json`). A cache may be shared
 * (FND_CACHE_DIR, --cache-dir); gc from one project must keep what the others' runs reference.
 */
export interface RegisteredProject {
  projectDir: string;
  runsDir: string;
  /** The registry file, for messages. */
  file: string;
}

function projectFile(layout: StoreLayout, runsDir: string): string {
  return join(layout.projectsDir, `${sha256(resolve(runsDir)).slice(0, 16)}.json`);
}

/** Registers a project (idempotent; `fnd run` calls it before its first stage). */
export async function registerProject(layout: StoreLayout, projectDir: string, runsDir: string): Promise<void> {
  const file = projectFile(layout, runsDir);
  const text = `${JSON.stringify({ projectDir: resolve(projectDir), runsDir: resolve(runsDir) }, null, 2)}\n`;
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing === text) return;
  await mkdir(layout.projectsDir, { recursive: true });
  await writeFileAtomic(file, text);
}

/** Every registered project. An unreadable registry file is an error naming it: gc cannot know what that project keeps. */
export async function listProjects(layout: StoreLayout): Promise<RegisteredProject[]> {
  const projects: RegisteredProject[] = [];
  for (const name of await listDir(layout.projectsDir)) {
    if (!name.endsWith('.json')) continue;
    const file = join(layout.projectsDir, name);
    let value: Partial<RegisteredProject>;
    try {
      value = JSON.parse(await readFile(file, 'utf8')) as Partial<RegisteredProject>;
    } catch (error) {
      throw new FndError(`cannot read the project registry file ${file} (${(error as Error).message}); fix or delete it`, { cause: error });
    }
    if (typeof value.projectDir !== 'string' || typeof value.runsDir !== 'string') {
      throw new FndError(`project registry file ${file} lacks projectDir or runsDir; fix or delete it`);
    }
    projects.push({ projectDir: value.projectDir, runsDir: value.runsDir, file });
  }
  return projects;
}
