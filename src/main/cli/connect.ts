// Builds a Vault client for a command from VAULT_ADDR / VAULT_CACERT /
// VAULT_NAMESPACE (and -address), the way the Vault CLI reads them.
import { AppError } from '../../shared/errors';
import { createVaultClient, type VaultClient } from '../services/vault/vault-client';
import type { FlagValues } from './args';
import { connectionFor } from './cli-session';
import type { CliIo } from './io';
import { noteTokenUse } from './token-use';

/**
 * A client with VAULT_TOKEN. With needToken the token is checked first (lookup-self), so a
 * token Vault refuses fails the command at once, with the message every command gives.
 */
export async function clientFromEnv(io: CliIo, flags: FlagValues, opts: { needToken: boolean }): Promise<VaultClient> {
  const conn = connectionFor(io, flags);
  const token = io.env.VAULT_TOKEN?.trim() || undefined;
  if (opts.needToken && !token) throw new AppError('UNAUTHENTICATED', 'VAULT_TOKEN is not set');
  noteTokenUse(io, conn, token);
  // The client sends exactly this token and conn's namespace, both from io.env (never process.env).
  const client = createVaultClient(conn, token);
  if (opts.needToken) {
    try {
      await client.request('GET', 'auth/token/lookup-self');
    } catch (err) {
      client.close();
      throw err;
    }
  }
  return client;
}
