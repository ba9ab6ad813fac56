// Builds a Vault client for a command from VAULT_ADDR / VAULT_CACERT /
// VAULT_NAMESPACE (and -address), the way the Vault CLI reads them.
import { AppError } from '../../shared/errors';
import { connectionFromEnv } from '../services/config/app-config';
import { createVaultClient, type VaultClient } from '../services/vault/vault-client';
import type { FlagValues } from './args';
import type { CliIo } from './io';

export function clientFromEnv(io: CliIo, flags: FlagValues, opts: { needToken: boolean }): VaultClient {
  const env = { ...io.env };
  if (typeof flags.address === 'string') env.VAULT_ADDR = flags.address;
  const conn = connectionFromEnv(env);
  const token = io.env.VAULT_TOKEN?.trim() || undefined;
  if (opts.needToken && !token) throw new AppError('UNAUTHENTICATED', 'VAULT_TOKEN is not set');
  // The client sends exactly this token and conn's namespace, both from io.env (never process.env).
  return createVaultClient(conn, token);
}
