// `vault-console help [command]`.
import { AppError } from '../../shared/errors';
import type { Command } from './command';
import { EXIT, type CliIo } from './io';

export function renderHelp(commands: readonly Command[], name?: string): string {
  if (name) {
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) throw new AppError('BAD_INPUT', `help: unknown command ${JSON.stringify(name.slice(0, 40))}`);
    const names = Object.entries(cmd.flags).map(([f, s]) => `  -${f}${s.type === 'bool' ? '' : '=<' + s.type + '>'}`);
    // Wide enough for the longest flag, so a description never runs into its name.
    const pad = Math.max(28, ...names.map((n) => n.length + 2));
    const flagLines = Object.values(cmd.flags).map((s, i) => names[i]!.padEnd(pad) + s.description);
    return `Usage: ${cmd.usage}\n\n${cmd.summary}\n\nFlags:\n${flagLines.join('\n')}\n`;
  }
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: vault-console <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}    ${c.summary}`),
    '',
    'Environment: VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, VAULT_NAMESPACE, VAULT_CONSOLE_KV_MOUNT.',
    'Flags take the Vault CLI form (-format=json) or the GNU form (--format json).',
    'Run "vault-console help <command>" for its flags.',
    '',
  ].join('\n');
}

export function helpCommand(all: () => readonly Command[]): Command {
  return {
    name: 'help',
    summary: 'Show commands, or the flags of one command.',
    usage: 'vault-console help [command]',
    flags: {},
    async run({ positionals }, io: CliIo) {
      io.stdout.write(renderHelp(all(), positionals[0]));
      return EXIT.ok;
    },
  };
}
