import { pathToFileURL } from 'node:url';

type ModuleImporter = (entry: string) => Promise<unknown>;

/**
 * Imports a stage plugin's module. Under the CLI, bin/boot.mjs installs an importer that serves
 * built-in stages from the prebuilt bundle and bundles a project's TypeScript stages on demand;
 * elsewhere (tests, `FND_NO_BUNDLE`, a TypeScript loader already active) it is a plain import.
 */
export async function importModule(entry: string): Promise<unknown> {
  const importer = (globalThis as { __fndImportModule?: ModuleImporter }).__fndImportModule;
  return importer ? importer(entry) : import(pathToFileURL(entry).href);
}
