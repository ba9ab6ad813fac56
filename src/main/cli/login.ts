// `vault-console login`: sign in with userpass (default) or a token and keep the
// session in the OS keychain, for `status` and the other commands. No keychain, no
// login: there is no plaintext fallback.
import { AppError } from '../../shared/errors';
import { KeytarSecretStore } from '../services/keychain/keychain.keytar';
import { COMMON_FLAGS } from './args';
import { connectionFor, keychainSession } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue } from './io';
import { readSecret } from './secret-prompt';

export const loginCommand: Command = {
  name: 'login',
  summary: 'Sign in (userpass or token); the token is kept in the OS keychain.',
  usage: 'vault-console login [-method=userpass|token] [-username=NAME] [-address=URL] [-format=table|json]   (password or token: typed without echo, or piped on stdin)',
  flags: {
    ...COMMON_FLAGS,
    method: { type: 'string', description: 'userpass (default) or token.', choices: ['userpass', 'token'] },
    username: { type: 'string', description: 'Userpass username (or VAULT_CONSOLE_USERNAME).' },
  },
  async run({ flags, positionals }, io) {
    // The argument is not repeated: it may be a password typed in the wrong place.
    if (positionals.length > 0) throw new AppError('BAD_INPUT', 'login: takes no arguments (the password or token is asked for without echo, or read from stdin)');
    const method = (flags.method as string | undefined) ?? 'userpass';
    const conn = connectionFor(io, flags);
    const store = new KeytarSecretStore({ env: io.env });
    // Fail closed before asking for a secret nobody could keep: no keychain, no login.
    await store.check();
    const session = keychainSession(io, conn, store);
    try {
      let info;
      if (method === 'token') {
        // Security: the token is read without echo and never printed back.
        const token = await readSecret('Token (will be hidden): ', io);
        info = await session.loginToken(token);
      } else {
        const username = typeof flags.username === 'string' && flags.username ? flags.username : io.env.VAULT_CONSOLE_USERNAME;
        if (!username) throw new AppError('BAD_INPUT', 'login: -username=NAME is required for userpass');
        // Security: never from argv (ps, shell history): typed without echo, or the first line of stdin.
        const password = await readSecret('Password (will be hidden): ', io);
        info = await session.loginUserpass(username, password);
      }
      if (flags.format === 'json') {
        printJson(io, { signed_in: true, address: info.address, method: info.method, display_name: info.displayName, policies: info.policies, expires_at: info.expiresAt, renewable: info.renewable });
      } else {
        io.stdout.write('Success! You are now signed in. The token is stored in the OS keychain.\n\n');
        printKeyValue(io, [
          ['Address', info.address],
          ['Identity', info.displayName],
          ['Policies', info.policies.join(', ') || '-'],
          ['Expires', info.expiresAt ?? 'never'],
          ['Renewable', String(info.renewable)],
        ]);
      }
      return EXIT.ok;
    } finally {
      session.dispose();
    }
  },
};
