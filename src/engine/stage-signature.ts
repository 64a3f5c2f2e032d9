import type { Artifact } from '../sdk/index.js';
import { computeSignature, type SignatureDetails } from '../hash/signature.js';
import { hashFile } from '../hash/files.js';
import { hashPluginCode } from '../hash/module-graph.js';
import type { LoadedPlugin } from '../plugins/load.js';
import { numericEnvironment } from './environment.js';
import type { Device } from '../sdk/index.js';
import { isAbsolute, resolve } from 'node:path';

export interface StageIdentity {
  value: string;
  details: SignatureDetails;
}

/**
 * A stage's signature: plugin name and version, its source folder's hash, params after
 * defaults, the content hashes of its inputs (and of outside files the plugin fingerprints),
 * and, for tensor stages, the backend. Same signature ⇒ same outputs, so the cache may answer.
 */
export async function stageSignature(options: {
  plugin: LoadedPlugin;
  params: Record<string, unknown>;
  inputs: Record<string, Pick<Artifact, 'hash'>>;
  device: Device;
  specDir: string;
  codeHashes: Map<string, Promise<string>>;
}): Promise<StageIdentity> {
  const { plugin, params } = options;
  const definition = plugin.definition;
  let code = options.codeHashes.get(plugin.location.dir);
  if (!code) {
    code = hashPluginCode(plugin.location.dir, plugin.location.entry);
    options.codeHashes.set(plugin.location.dir, code);
  }
  const inputs: Record<string, string> = {};
  for (const [port, artifact] of Object.entries(options.inputs)) inputs[port] = artifact.hash;
  if (definition.fingerprint) {
    const extra = await definition.fingerprint(params, {
      resolvePath: (path) => (isAbsolute(path) ? path : resolve(options.specDir, path)),
      hashFile,
    });
    for (const [name, hash] of Object.entries(extra)) inputs[`file ${name}`] = hash;
  }
  const environment: Record<string, string> = definition.tensors ? { backend: numericEnvironment(options.device) } : {};
  return computeSignature({
    plugin: definition.name,
    version: definition.version,
    code: await code,
    params,
    inputs,
    environment,
  });
}
