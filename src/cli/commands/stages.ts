import { defineCommand, jsonOption } from '../command.js';
import { PluginRegistry } from '../../plugins/registry.js';
import { findProjectDir } from '../../project/paths.js';
import type { JsonSchema, StageDefinition } from '../../sdk/index.js';

interface ParamRow {
  name: string;
  type: string;
  default?: unknown;
  required: boolean;
  description: string;
}

function paramRows(schema: JsonSchema): ParamRow[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: Array.isArray(property.enum)
      ? (property.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ')
      : String(property.type ?? (property.oneOf || property.anyOf ? 'one of several' : 'any')),
    ...(property.default !== undefined ? { default: property.default } : {}),
    required: required.has(name),
    description: String(property.description ?? ''),
  }));
}

function describe(definition: StageDefinition<Record<string, unknown>>, origin: string) {
  const ports = (side: Record<string, { kind: string; optional?: boolean }>) =>
    Object.entries(side).map(([port, spec]) => ({ port, kind: spec.kind, ...(spec.optional ? { optional: true } : {}) }));
  return {
    name: definition.name,
    version: definition.version,
    origin,
    description: definition.description,
    device: definition.device ?? 'cpu',
    tensors: Boolean(definition.tensors),
    inputs: ports(definition.inputs),
    outputs: ports(definition.outputs),
    params: paramRows(definition.params),
  };
}

export default defineCommand({
  name: 'stages',
  summary: "List the stage plugins a spec can use: fnd's built-in stages and the project's stages/<name>/index.ts, with their ports and params.",
  positionals: [{ name: 'name' }],
  options: [jsonOption, { name: 'project', type: 'string', valueName: 'DIR', description: 'project folder (default: the one containing the current directory)' }],
  async run(args, io) {
    const registry = new PluginRegistry(findProjectDir((args.options.project as string | undefined) ?? io.cwd));
    const only = args.positionals.name as string | undefined;
    const names = only ? [only] : registry.names();
    const described = [];
    for (const name of names) {
      const plugin = await registry.load(name);
      if (!plugin) {
        const { suggest } = await import('../../util/suggest.js');
        const { FndError } = await import('../../util/errors.js');
        const hint = suggest(name, registry.names());
        throw new FndError(`unknown stage plugin "${name}"${hint ? `; did you mean "${hint}"?` : ''}`, { exitCode: 2 });
      }
      described.push(describe(plugin.definition, plugin.location.origin));
    }
    if (args.options.json) {
      io.stdout.write(`${JSON.stringify(described, null, 2)}\n`);
      return 0;
    }
    for (const stage of described) {
      const inputs = stage.inputs.map((p) => `${p.port}: ${p.kind}${p.optional ? '?' : ''}`).join(', ') || '—';
      const outputs = stage.outputs.map((p) => `${p.port}: ${p.kind}`).join(', ') || '—';
      io.stdout.write(`${stage.name} (v${stage.version}, ${stage.origin}${stage.device === 'gpu' ? ', prefers gpu' : ''})\n`);
      io.stdout.write(`  ${stage.description}\n  inputs: ${inputs}\n  outputs: ${outputs}\n`);
      // Params as a definition list: descriptions are often a sentence or two, too long for a table column.
      if (stage.params.length > 0) io.stdout.write('  params:\n');
      for (const param of stage.params) {
        const facts = [param.type, param.required ? 'required' : undefined, param.default === undefined ? undefined : `default ${JSON.stringify(param.default)}`];
        io.stdout.write(`    ${param.name} (${facts.filter(Boolean).join(', ')})\n`);
        if (param.description) io.stdout.write(`        ${param.description}\n`);
      }
      io.stdout.write('\n');
    }
    return 0;
  },
});
