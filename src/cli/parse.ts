import { parseArgs } from 'node:util';
import { FndError } from '../util/errors.js';
import { suggest } from '../util/suggest.js';
import type { Command, ParsedArgs } from './command.js';
import { keyValueLines } from '../format/table.js';

/** argv (after the command name) → options and positionals, checked against the command's declaration. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const option of command.options) {
    options[option.name] = {
      type: option.type === 'boolean' ? 'boolean' : 'string',
      ...(option.short ? { short: option.short } : {}),
      ...(option.type === 'string[]' ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(--?[\w-]+)'/.exec(message)?.[1];
    const hint = unknown ? suggest(unknown.replace(/^-+/, ''), command.options.map((o) => o.name)) : undefined;
    throw new FndError(`fnd ${command.name}: ${message.split('.')[0]}${hint ? `; did you mean --${hint}?` : ''} (see fnd ${command.name} --help)`, { exitCode: 2 });
  }
  const positionals: ParsedArgs['positionals'] = {};
  const given = [...parsed.positionals];
  for (const positional of command.positionals) {
    if (positional.variadic) {
      positionals[positional.name] = given.splice(0);
      if (positional.required && (positionals[positional.name] as string[]).length === 0) {
        throw new FndError(`fnd ${command.name}: missing ${positional.name.toUpperCase()} (see fnd ${command.name} --help)`, { exitCode: 2 });
      }
    } else {
      const value = given.shift();
      if (value === undefined && positional.required) {
        throw new FndError(`fnd ${command.name}: missing ${positional.name.toUpperCase()} (see fnd ${command.name} --help)`, { exitCode: 2 });
      }
      positionals[positional.name] = value;
    }
  }
  if (given.length > 0) throw new FndError(`fnd ${command.name}: unexpected argument "${given[0]}" (see fnd ${command.name} --help)`, { exitCode: 2 });
  return { options: parsed.values as ParsedArgs['options'], positionals };
}

export function commandHelp(command: Command): string {
  const args = command.positionals.map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`) + (p.variadic ? '...' : '')).join(' ');
  const lines = [`usage: fnd ${command.name}${args ? ` ${args}` : ''} [options]`, '', command.summary, ''];
  if (command.options.length > 0) {
    lines.push('options:');
    const rows = command.options.map((o) => {
      const value = o.type === 'boolean' ? '' : ` ${o.valueName ?? 'VALUE'}`;
      return [`${o.short ? `-${o.short}, ` : '    '}--${o.name}${value}`, o.description + (o.type === 'string[]' ? ' (repeatable)' : '')];
    });
    lines.push(keyValueLines(rows as [string, string][], '  '));
  }
  return `${lines.join('\n')}\n`;
}
