// Dispatch plus the single place that turns an error into the one stderr line the user
// sees (no stack, no secret; the code helps scripts tell causes apart). Progress and the
// services' log lines go through CliDiagnostics: shown while the command succeeds, or
// behind -verbose, never between the user and the error line.
import { AppError, isAppError, oneLine } from '../../shared/errors';
import { setLogSink } from '../services/log/logger';
import { GLOBAL_FLAGS, parseArgs } from './args';
import { CliDiagnostics } from './diagnostics';
import { EXIT, type CliIo } from './io';
import { renderHelp } from './help';
import { commands, findCommand } from './registry';
import { explainTokenError } from './token-use';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let diag: CliDiagnostics | null = null;
  let cmdIo: CliIo = io;
  let restoreLog: (() => void) | null = null;
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
    const args = parseArgs(rest, { ...GLOBAL_FLAGS, ...cmd.flags }, cmd.name);
    const debug = io.env.VAULT_CONSOLE_DEBUG === '1';
    const d = new CliDiagnostics(io.stderr, args.flags.verbose === true || debug);
    diag = d;
    restoreLog = setLogSink((line) => d.log(line), { debug });
    cmdIo = {
      ...io,
      // Output on stdout first erases a progress status line drawn on the same terminal.
      stdout: { write: (chunk: string) => (d.clearStatus(), io.stdout.write(chunk)), isTTY: io.stdout.isTTY },
      diagnostics: d,
    };
    const code = await cmd.run(args, cmdIo);
    d.finish(code !== EXIT.error);
    return code;
  } catch (err) {
    diag?.finish(false);
    io.stderr.write(`${errorLine(await explainTokenError(cmdIo, err))}\n`);
    return EXIT.error;
  } finally {
    restoreLog?.();
  }
}

export function errorLine(err: unknown): string {
  if (isAppError(err)) return `Error: ${oneLine(err.message)} [${err.code}]`;
  // Unvetted text may hold a value; name the kind of failure only.
  const name = err instanceof Error ? err.name : typeof err;
  return `Error: internal error (${name}); run again with -verbose for the log [INTERNAL]`;
}
