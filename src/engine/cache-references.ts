import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { listProjects, registerProject, type RegisteredProject } from '../cache/projects.js';
import type { CacheStore } from '../cache/store.js';
import { displayDir, listRuns } from '../runs/store.js';
import { FndError } from '../util/errors.js';

export interface CacheReferences {
  /** Signatures some readable run (of any project using this cache) or a stage's last run references. */
  signatures: Set<string>;
  projects: RegisteredProject[];
  runs: number;
  warnings: string[];
}

/**
 * What gc must keep: every signature any run of any project registered in the cache references
 * (a run in progress lists each stage's signature in its run.json before a later stage reads
 * that entry). A run record that cannot be read stops gc with its path: what it references is unknown.
 */
export async function collectReferences(store: CacheStore, own: { projectDir: string; runsDir: string }, cwd: string): Promise<CacheReferences> {
  await registerProject(store.layout, own.projectDir, own.runsDir);
  const projects = await listProjects(store.layout);
  const signatures = new Set<string>();
  const warnings: string[] = [];
  let runs = 0;
  for (const project of projects) {
    if (!existsSync(project.runsDir)) {
      if (project.runsDir === resolve(own.runsDir)) continue; // this project has not run yet
      warnings.push(`project ${project.projectDir} (registered in ${project.file}) has no runs folder ${project.runsDir} any more; nothing is kept for it`);
      continue;
    }
    const listing = await listRuns(project.runsDir, { cwd });
    const broken = listing.unreadable[0];
    if (broken) {
      throw new FndError(
        `cache gc: cannot read ${displayDir(broken.dir, cwd)}run.json (${broken.reason}); gc keeps every entry a run references and ` +
          'cannot tell what this one references. Fix or remove that folder, then run gc again.',
      );
    }
    runs += listing.runs.length;
    for (const run of listing.runs) for (const stage of Object.values(run.stages)) if (stage.signature) signatures.add(stage.signature);
  }
  return { signatures, projects, runs, warnings };
}
