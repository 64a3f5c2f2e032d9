import { importModule } from './import-module.js';
import type { StageDefinition } from '../sdk/index.js';
import { FndError } from '../util/errors.js';
import type { StageLocation } from './discover.js';

export interface LoadedPlugin {
  definition: StageDefinition<Record<string, unknown>>;
  location: StageLocation;
}

const PORT_KINDS = new Set(['table', 'tokens', 'model', 'metrics', 'report', 'file']);

/** Checks what TypeScript cannot check for a plugin loaded at run time from a user's folder. */
function checkDefinition(value: unknown, location: StageLocation): StageDefinition<Record<string, unknown>> {
  const where = location.entry;
  if (!value || typeof value !== 'object') {
    throw new FndError(`${where}: a stage plugin must default-export defineStage({...})`, { exitCode: 2 });
  }
  const def = value as Partial<StageDefinition<Record<string, unknown>>>;
  const problems: string[] = [];
  if (def.name !== location.name) problems.push(`name is ${JSON.stringify(def.name)} but its folder is "${location.name}"`);
  if (typeof def.version !== 'string') problems.push('version must be a string');
  if (typeof def.run !== 'function') problems.push('run must be a function');
  if (!def.params || typeof def.params !== 'object' || (def.params as { type?: unknown }).type !== 'object') {
    problems.push('params must be a JSON Schema with type "object"');
  }
  for (const side of ['inputs', 'outputs'] as const) {
    const ports = def[side];
    if (!ports || typeof ports !== 'object') {
      problems.push(`${side} must be an object of ports`);
      continue;
    }
    for (const [port, spec] of Object.entries(ports)) {
      if (!spec || !PORT_KINDS.has(spec.kind)) problems.push(`${side}.${port}.kind must be one of ${[...PORT_KINDS].join(', ')}`);
    }
  }
  if (def.device !== undefined && def.device !== 'cpu' && def.device !== 'gpu') problems.push('device must be "cpu" or "gpu"');
  if (problems.length > 0) {
    throw new FndError(`${where}: invalid stage plugin: ${problems.join('; ')}`, { exitCode: 2 });
  }
  return def as StageDefinition<Record<string, unknown>>;
}

export async function loadPlugin(location: StageLocation): Promise<LoadedPlugin> {
  let module: { default?: unknown };
  try {
    module = (await importModule(location.entry)) as { default?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FndError(`${location.entry}: stage plugin "${location.name}" failed to load: ${reason}`, { exitCode: 2, cause: error });
  }
  return { definition: checkDefinition(module.default, location), location };
}
