// The CLI's Vault session: VAULT_TOKEN when set (like the Vault CLI), otherwise the
// session `vault-console login` saved in the OS keychain for this address. The
// token stays in the keychain and in this process's memory only.
import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { VaultConnection } from '../services/config/app-config';
import { connectionFromEnv } from '../services/config/app-config';
import { KeytarSecretStore } from '../services/keychain/keychain.keytar';
import type { SecretStore } from '../services/keychain/secret-store';
import { SessionService } from '../services/session/session-service';
import type { Session, SessionInfo } from '../services/session/session-types';
import { systemClock } from '../services/time/clock';
import { createVaultClient, TOKEN_REJECTED, TokenRejectedError, type VaultClient } from '../services/vault/vault-client';
import type { FlagValues } from './args';
import type { CliIo } from './io';
import { noteTokenUse, tokenRejected } from './token-use';

/**
 * The command's Vault, the way the Vault CLI reads it: -address, VAULT_ADDR, VAULT_CACERT,
 * VAULT_NAMESPACE. VAULT_SKIP_VERIFY is refused, not ignored: certificates are always verified.
 */
export function connectionFor(io: CliIo, flags: FlagValues): VaultConnection {
  const env = { ...io.env };
  if (typeof flags.address === 'string') env.VAULT_ADDR = flags.address;
  const skip = (io.env.VAULT_SKIP_VERIFY ?? '').trim();
  if (skip !== '' && !/^(0|f|false)$/i.test(skip)) {
    throw new AppError('BAD_INPUT', 'VAULT_SKIP_VERIFY is not supported: vault-console always verifies Vault\'s certificate; name its CA with VAULT_CACERT and unset VAULT_SKIP_VERIFY');
  }
  return connectionFromEnv(env);
}

/** One keychain entry per Vault address, so logging in to another never replaces this one. */
export function cliProfileId(address: string): string {
  return `cli-${createHash('sha256').update(address).digest('hex').slice(0, 16)}`;
}

export function keychainSession(io: CliIo, conn: VaultConnection, store: SecretStore = new KeytarSecretStore({ env: io.env })): SessionService {
  return new SessionService({ store, clock: systemClock }, conn, cliProfileId(conn.address));
}

/** A Session over VAULT_TOKEN, checked lazily by the first request. */
function envTokenSession(conn: VaultConnection, token: string): Session & { dispose(): void } {
  const client: VaultClient = createVaultClient(conn, token);
  const info: SessionInfo = {
    signedIn: true,
    profileId: 'env',
    address: conn.address,
    method: 'token',
    displayName: 'VAULT_TOKEN',
    username: null,
    entityId: null,
    policies: [],
    expiresAt: null,
    renewable: false,
    expiringSoon: false,
    problem: null,
  };
  return { info: () => info, requireClient: () => client, onChange: () => () => undefined, dispose: () => client.close() };
}

export interface OpenOptions {
  /** Without a usable token, carry on signed out (status) instead of failing. */
  optional?: boolean;
}

export interface CliSession {
  session: Session;
  /** Where the token came from, for the output: "VAULT_TOKEN", "keychain" or null. */
  source: 'VAULT_TOKEN' | 'keychain' | null;
  /** Why there is no session, when there is none and it is worth saying. */
  problem: string | null;
  dispose(): void;
}

/**
 * VAULT_TOKEN, else the keychain session for this address, else signed out. A token Vault
 * refuses fails the command with the one message every command gives for it (unless optional).
 */
export async function openCliSession(io: CliIo, conn: VaultConnection, opts: OpenOptions = {}): Promise<CliSession> {
  const token = io.env.VAULT_TOKEN?.trim();
  if (token) {
    const s = envTokenSession(conn, token);
    noteTokenUse(io, conn, token);
    try {
      await s.requireClient().request('GET', 'auth/token/lookup-self');
    } catch (err) {
      s.dispose();
      if (!opts.optional) throw err instanceof TokenRejectedError ? tokenRejected() : err;
      const problem = err instanceof TokenRejectedError ? `VAULT_TOKEN: ${TOKEN_REJECTED}` : err instanceof AppError ? err.message : 'VAULT_TOKEN could not be checked';
      return { session: signedOutSession(conn), source: null, problem, dispose: () => undefined };
    }
    return { session: s, source: 'VAULT_TOKEN', problem: null, dispose: () => s.dispose() };
  }
  const s = keychainSession(io, conn);
  let info: SessionInfo;
  try {
    info = await s.resume();
  } catch (err) {
    s.dispose();
    const why = err instanceof AppError ? err.message : 'keychain unavailable';
    return { session: s, source: null, problem: why, dispose: () => undefined };
  }
  if (s.rejectedOnResume) {
    s.dispose();
    if (!opts.optional) throw tokenRejected();
    return { session: s, source: null, problem: `the saved login: ${TOKEN_REJECTED}`, dispose: () => undefined };
  }
  if (info.signedIn) noteTokenUse(io, conn, s.requireClient().token());
  return { session: s, source: info.signedIn ? 'keychain' : null, problem: info.problem, dispose: () => s.dispose() };
}

function signedOutSession(conn: VaultConnection): Session {
  const info: SessionInfo = {
    signedIn: false,
    profileId: 'env',
    address: conn.address,
    method: null,
    displayName: '',
    username: null,
    entityId: null,
    policies: [],
    expiresAt: null,
    renewable: false,
    expiringSoon: false,
    problem: null,
  };
  return {
    info: () => info,
    requireClient: () => {
      throw tokenRejected();
    },
    onChange: () => () => undefined,
  };
}

/**
 * A session that must be signed in, with the actor as Vault knows the token (its
 * username, or its display name such as "userpass-admin" or "token"): the start of
 * every command that changes something in Vault. UNAUTHENTICATED when not signed in.
 */
export async function openSignedInCli(io: CliIo, conn: VaultConnection): Promise<{ cli: CliSession; client: VaultClient; actor: string }> {
  const cli = await openCliSession(io, conn);
  if (!cli.source) {
    cli.dispose();
    throw new AppError('UNAUTHENTICATED', `not signed in: set VAULT_TOKEN or run "vault-console login"${cli.problem ? ` (${cli.problem})` : ''}`);
  }
  const client = cli.session.requireClient();
  let actor = cli.session.info().username ?? 'unknown';
  try {
    const self = await client.request<{ data?: { display_name?: string; meta?: { username?: string } | null } }>('GET', 'auth/token/lookup-self');
    actor = self.data?.meta?.username ?? self.data?.display_name ?? actor;
  } catch (err) {
    cli.dispose();
    throw err;
  }
  return { cli, client, actor };
}
