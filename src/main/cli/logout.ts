// `vault-console logout`: revoke the saved token in Vault and delete it from the keychain.
import { AppError } from '../../shared/errors';
import { COMMON_FLAGS } from './args';
import { connectionFor, keychainSession } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson } from './io';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Sign out: revoke the saved token and remove it from the OS keychain.',
  usage: 'vault-console logout [-address=URL] [-format=table|json]',
  flags: { ...COMMON_FLAGS },
  async run({ flags, positionals }, io) {
    if (positionals.length > 0) throw new AppError('BAD_INPUT', `logout: unexpected argument ${JSON.stringify(positionals[0]!.slice(0, 40))}`);
    const conn = connectionFor(io, flags);
    const session = keychainSession(io, conn);
    try {
      const before = await session.resume();
      if (before.problem && /keychain/i.test(before.problem)) throw new AppError('KEYCHAIN_UNAVAILABLE', before.problem);
      await session.logout();
      if (flags.format === 'json') printJson(io, { signed_in: false, address: conn.address, was_signed_in: before.signedIn });
      else io.stdout.write(before.signedIn ? `Signed out of ${conn.address}; the token was revoked and removed from the keychain.\n` : `Not signed in to ${conn.address}.\n`);
      return EXIT.ok;
    } finally {
      session.dispose();
    }
  },
};
