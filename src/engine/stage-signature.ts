import type { Artifact } from '../sdk/index.js';
import { computeSignature, type SignatureDetails } from '../hash/signature.js';
import { hashFile } from '../hash/files.js';
import { hashPluginCode, packageImports } from '../hash/module-graph.js';
import type { LoadedPlugin } from '../plugins/load.js';
import { backendEnvironment, packageEnvironment, type InstallFacts } from './environment.js';
import { backendChoiceFor } from '../nn/backend/identity.js';
import type { Device } from '../sdk/index.js';
import { isAbsolute, resolve } from 'node:path';

/** A plugin's code hash and the packages its code imports, computed once per invocation. */
export interface PluginCode {
  hash: string;
  packages: string[];
}

export interface StageIdentity {
  value: string;
  details: SignatureDetails;
}

/**
 * A stage's signature: plugin name and version, its source folder's hash, params after
 * defaults, the content hashes of its inputs (and of outside files the plugin fingerprints),
 * the versions of number-changing packages its code imports, and, for tensor stages, the backend
 * chooseBackend picks with its packages and native build (environment.ts). Same signature ⇒ same outputs, so the cache may answer.
 */
export async function stageSignature(options: {
  plugin: LoadedPlugin;
  params: Record<string, unknown>;
  inputs: Record<string, Pick<Artifact, 'hash'>>;
  device: Device;
  specDir: string;
  codeHashes: Map<string, Promise<PluginCode>>;
  env?: NodeJS.ProcessEnv;
  /** Installed versions and native builds (tests pass their own). */
  install?: InstallFacts;
}): Promise<StageIdentity> {
  const { plugin, params } = options;
  const definition = plugin.definition;
  let pending = options.codeHashes.get(plugin.location.dir);
  if (!pending) {
    pending = hashPluginCode(plugin.location.dir, plugin.location.entry).then((hash) => ({ hash, packages: packageImports(plugin.location.entry) }));
    options.codeHashes.set(plugin.location.dir, pending);
  }
  const code = await pending;
  const inputs: Record<string, string> = {};
  for (const [port, artifact] of Object.entries(options.inputs)) inputs[port] = artifact.hash;
  if (definition.fingerprint) {
    const extra = await definition.fingerprint(params, {
      resolvePath: (path) => (isAbsolute(path) ? path : resolve(options.specDir, path)),
      hashFile,
    });
    for (const [name, hash] of Object.entries(extra)) inputs[`file ${name}`] = hash;
  }
  const env = options.env ?? process.env;
  const environment: Record<string, string> = {
    ...packageEnvironment(code.packages, options.install),
    ...(definition.tensors ? backendEnvironment(backendChoiceFor(options.device, env), env, options.install) : {}),
  };
  return computeSignature({
    plugin: definition.name,
    version: definition.version,
    code: code.hash,
    params,
    inputs,
    environment,
  });
}
