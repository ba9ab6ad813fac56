// `vault-console unseal`: enter one unseal key share, read without echo from the
// terminal or as the first line of stdin (never as an argument: it would land in
// the shell history). Prints the progress; exit 0 unsealed, 2 still sealed.
import { AppError } from '../../shared/errors';
import { BreakGlass } from '../services/health/break-glass';
import { systemClock } from '../services/time/clock';
import { createVaultClient } from '../services/vault/vault-client';
import { COMMON_FLAGS } from './args';
import { connectionFor } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue } from './io';
import { readSecret } from './secret-prompt';

export const unsealCommand: Command = {
  name: 'unseal',
  summary: 'Enter one unseal key share (read without echo, or from stdin); -reset clears progress.',
  usage: 'vault-console unseal [-reset] [-address=URL] [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    reset: { type: 'bool', description: 'Discard the shares entered so far.' },
  },
  async run({ flags, positionals }, io) {
    if (positionals.length > 0) {
      throw new AppError('BAD_INPUT', 'unseal: the key share is not taken as an argument (it would stay in your shell history); type it when asked, or pipe it on stdin');
    }
    const client = createVaultClient(connectionFor(io, flags));
    try {
      const glass = new BreakGlass({
        vault: () => client,
        session: {
          info: () => {
            throw new AppError('UNAUTHENTICATED', 'unseal needs no session');
          },
          requireClient: () => {
            throw new AppError('UNAUTHENTICATED', 'unseal needs no session');
          },
          onChange: () => () => undefined,
        },
        clock: systemClock,
      });
      const status = flags.reset === true ? await glass.resetUnseal() : await glass.unseal(await readSecret('Unseal key share (will be hidden): ', io));
      if (!status.reachable) throw new AppError('VAULT_UNREACHABLE', status.error ?? 'Vault is unreachable.');
      if (flags.format === 'json') {
        printJson(io, { sealed: status.sealed, t: status.unseal.threshold, n: status.unseal.shares, progress: status.unseal.progress });
      } else {
        printKeyValue(io, [
          ['Sealed', String(status.sealed)],
          ['Total Shares', String(status.unseal.shares)],
          ['Threshold', String(status.unseal.threshold)],
          ['Unseal Progress', status.sealed ? `${status.unseal.progress}/${status.unseal.threshold}` : 'complete'],
        ]);
      }
      return status.sealed ? EXIT.sealed : EXIT.ok;
    } finally {
      client.close();
    }
  },
};
