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
import { createVaultClient, type VaultClient } from '../services/vault/vault-client';
import type { FlagValues } from './args';
import type { CliIo } from './io';

export function connectionFor(io: CliIo, flags: FlagValues): VaultConnection {
  const env = { ...io.env };
  if (typeof flags.address === 'string') env.VAULT_ADDR = flags.address;
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

export interface CliSession {
  session: Session;
  /** Where the token came from, for the output: "VAULT_TOKEN", "keychain" or null. */
  source: 'VAULT_TOKEN' | 'keychain' | null;
  /** Why there is no session, when there is none and it is worth saying. */
  problem: string | null;
  dispose(): void;
}

/** VAULT_TOKEN, else the keychain session for this address, else signed out. */
export async function openCliSession(io: CliIo, conn: VaultConnection): Promise<CliSession> {
  const token = io.env.VAULT_TOKEN?.trim();
  if (token) {
    const s = envTokenSession(conn, token);
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
  return { session: s, source: info.signedIn ? 'keychain' : null, problem: info.problem, dispose: () => s.dispose() };
}
