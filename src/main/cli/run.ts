// Dispatch plus the single place that turns an error into the one stderr line
// the user sees (no stack, no secret; the code helps scripts tell causes apart).
import { AppError, isAppError, oneLine } from '../../shared/errors';
import { parseArgs } from './args';
import { EXIT, type CliIo } from './io';
import { renderHelp } from './help';
import { commands, findCommand } from './registry';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '-h' || name === '-help' || name === '--help') {
      io.stdout.write(renderHelp(commands));
      return name === undefined ? EXIT.error : EXIT.ok;
    }
    const cmd = findCommand(name);
    if (!cmd) throw new AppError('BAD_INPUT', `unknown command ${JSON.stringify(name.slice(0, 40))} (try "vault-console help")`);
    if (rest.some((a) => a === '-h' || a === '-help' || a === '--help')) {
      io.stdout.write(renderHelp(commands, cmd.name));
      return EXIT.ok;
    }
    return await cmd.run(parseArgs(rest, cmd.flags, cmd.name), io);
  } catch (err) {
    io.stderr.write(`${errorLine(err)}\n`);
    return EXIT.error;
  }
}

export function errorLine(err: unknown): string {
  if (isAppError(err)) return `Error: ${oneLine(err.message)} [${err.code}]`;
  // Unvetted text may hold a value; name the kind of failure only.
  const name = err instanceof Error ? err.name : typeof err;
  return `Error: internal error (${name}); set VAULT_CONSOLE_DEBUG=1 and check the log [INTERNAL]`;
}
