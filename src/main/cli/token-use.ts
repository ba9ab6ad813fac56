// Which token a command run is using, so that a PERMISSION_DENIED can be told apart from
// a token Vault no longer accepts (issue 13 item 15: say "the token is invalid, expired or
// revoked; run vault-console login", in every command). Kept per run, in memory only.
import { AppError, isAppError } from '../../shared/errors';
import type { VaultConnection } from '../services/config/app-config';
import { createVaultClient, TOKEN_REJECTED, TokenRejectedError } from '../services/vault/vault-client';
import type { CliIo } from './io';

const used = new WeakMap<object, { conn: VaultConnection; token: string }>();

/** The command is about to use this token (VAULT_TOKEN or the keychain login). */
export function noteTokenUse(io: CliIo, conn: VaultConnection, token: string | undefined): void {
  if (io.diagnostics && token) used.set(io.diagnostics, { conn, token });
}

/** The one message for a token Vault refuses, the same in every command. */
export function tokenRejected(): AppError {
  return new AppError('UNAUTHENTICATED', `${TOKEN_REJECTED}; run vault-console login`);
}

/**
 * The error to show for what a command threw: a rejected token says so; a "permission
 * denied" is checked against lookup-self (which every valid token may call) and becomes
 * the same message when the token itself is what Vault refuses.
 */
export async function explainTokenError(io: CliIo, err: unknown): Promise<unknown> {
  if (err instanceof TokenRejectedError) return tokenRejected();
  if (!isAppError(err) || err.code !== 'PERMISSION_DENIED' || !io.diagnostics) return err;
  const use = used.get(io.diagnostics);
  if (!use) return err;
  const probe = createVaultClient(use.conn, use.token);
  try {
    await probe.request('GET', 'auth/token/lookup-self');
    return err;
  } catch (probeErr) {
    return probeErr instanceof TokenRejectedError ? tokenRejected() : err;
  } finally {
    probe.close();
  }
}
