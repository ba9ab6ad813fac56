// The Vault session: sign-in (userpass or token), keeping the token in the OS
// keychain and in this object's memory only, renewing it before it expires,
// warning before an unrenewable token expires, and signing out (revoke + delete).
import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { SecretStore } from '../keychain/secret-store';
import { createLogger } from '../log/logger';
import type { Clock, TimerHandle } from '../time/clock';
import type { VaultConnection } from '../config/app-config';
import { createVaultClient, TOKEN_REJECTED, type VaultClient } from '../vault/vault-client';
import type { LoginMethod, Session, SessionInfo } from './session-types';

const log = createLogger('session');

export const EXPIRY_WARNING_MS = 5 * 60_000;
const RETRY_RENEW_MS = 30_000;
const USERNAME_RE = /^[A-Za-z0-9._@-]{1,128}$/;

// Fields Vault may omit (OpenBao leaves out renewable for the init root token).
interface LookupSelf {
  data: {
    ttl?: number;
    creation_ttl?: number;
    expire_time?: string | null;
    renewable?: boolean;
    policies?: string[];
    display_name?: string;
    entity_id?: string;
    meta?: Record<string, string> | null;
  };
}

interface LoginResponse {
  auth: { client_token: string };
}

/** What the keychain holds per profile. The token is the only secret in it. */
interface StoredSession {
  v: 1;
  token: string;
  method: LoginMethod;
  address: string;
  username: string | null;
  /** trustKey() of the connection the token was obtained over (absent in older entries). */
  trust?: string;
}

/**
 * The settings a token is tied to: where it goes and what the console trusts there. A
 * stored token is never sent over settings other than those it was obtained with.
 */
export function trustKey(conn: VaultConnection): string {
  return createHash('sha256')
    .update([conn.address, conn.caCert ?? '', conn.minTlsVersion, conn.namespace ?? ''].join('\n'))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Revoke a profile's stored session over `connection` (the settings it was obtained with)
 * and delete it from the keychain. For a profile whose trust settings are about to change.
 */
export async function signOutStored(store: SecretStore, connection: VaultConnection, profileId: string, makeClient: (conn: VaultConnection, token?: string) => VaultClient = createVaultClient): Promise<boolean> {
  const account = `session:${profileId}`;
  const raw = await store.get(account).catch(() => null);
  if (!raw) return false;
  const stored = parseStored(raw);
  if (stored && stored.address === connection.address && (!stored.trust || stored.trust === trustKey(connection))) {
    const client = makeClient(connection, stored.token);
    try {
      await client.request('POST', 'auth/token/revoke-self');
    } catch (err) {
      log.warn(`profile ${profileId}: revoke-self failed (${err instanceof AppError ? err.code : 'error'})`);
    } finally {
      client.close();
    }
  }
  await store.delete(account).catch(() => false);
  log.info(`profile ${profileId}: stored session signed out`);
  return true;
}

export interface SessionServiceDeps {
  store: SecretStore;
  clock: Clock;
  /** Builds clients; tests may pass a recording factory around the real one. */
  makeClient?: (conn: VaultConnection, token?: string) => VaultClient;
}

export class SessionService implements Session {
  private connection: VaultConnection;
  private profileId: string;
  private client: VaultClient | null = null;
  private stored: StoredSession | null = null;
  private current: SessionInfo;
  private renewTimer: TimerHandle | undefined;
  private warnTimer: TimerHandle | undefined;
  private expireTimer: TimerHandle | undefined;
  private listeners = new Set<(info: SessionInfo) => void>();
  private readonly makeClient: (conn: VaultConnection, token?: string) => VaultClient;

  constructor(private readonly deps: SessionServiceDeps, connection: VaultConnection, profileId: string) {
    this.connection = connection;
    this.profileId = profileId;
    this.makeClient = deps.makeClient ?? createVaultClient;
    this.current = this.signedOut(null);
  }

  info(): SessionInfo {
    return this.current;
  }

  onChange(listener: (info: SessionInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  requireClient(): VaultClient {
    if (!this.client || !this.current.signedIn) throw new AppError('UNAUTHENTICATED', 'Sign in to Vault first.');
    return this.client;
  }

  private get account(): string {
    return `session:${this.profileId}`;
  }

  /** Set by the last resume() when Vault refused the stored token (invalid, expired or revoked). */
  rejectedOnResume = false;

  /** Resume the session kept in the keychain, if its token is still valid. */
  async resume(): Promise<SessionInfo> {
    this.rejectedOnResume = false;
    let raw: string | null;
    try {
      raw = await this.deps.store.get(this.account);
    } catch (err) {
      return this.update(this.signedOut(err instanceof AppError ? err.message : 'OS keychain unavailable.'));
    }
    if (!raw) return this.update(this.signedOut(null));
    const stored = parseStored(raw);
    if (!stored || stored.address !== this.connection.address) {
      // A session for another address (or an unreadable entry) is never reused.
      await this.deps.store.delete(this.account).catch(() => false);
      return this.update(this.signedOut(null));
    }
    if (stored.trust && stored.trust !== trustKey(this.connection)) {
      // CA, minimum TLS or namespace changed since sign-in: never send the token over other settings.
      await this.deps.store.delete(this.account).catch(() => false);
      log.info(`profile ${this.profileId}: connection settings changed since sign-in; stored session removed`);
      return this.update(this.signedOut('The connection settings changed since you signed in; sign in again.'));
    }
    try {
      return await this.adopt(stored);
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('VAULT_ERROR', 'Could not resume the session.');
      if (e.code === 'UNAUTHENTICATED' || e.code === 'PERMISSION_DENIED') {
        this.rejectedOnResume = true;
        await this.deps.store.delete(this.account).catch(() => false);
        log.info(`profile ${this.profileId}: stored session no longer valid; removed`);
        return this.update(this.signedOut(`The saved session is no longer valid (${TOKEN_REJECTED}); sign in again.`));
      }
      // Vault unreachable or sealed: keep the keychain entry for the next try.
      return this.update(this.signedOut(e.message));
    }
  }

  async loginUserpass(username: string, password: string): Promise<SessionInfo> {
    if (!USERNAME_RE.test(username)) throw new AppError('BAD_INPUT', 'Username: 1-128 letters, digits, . _ @ or -.');
    if (password.length === 0) throw new AppError('BAD_INPUT', 'Enter your password.');
    // Fail closed before talking to Vault: no keychain, no sign-in.
    await this.deps.store.check();
    const anon = this.makeClient(this.connection);
    let token: string;
    try {
      const res = await anon.request<LoginResponse>('POST', `auth/userpass/login/${encodeURIComponent(username)}`, { password });
      token = res.auth.client_token;
    } catch (err) {
      throw loginError(err);
    } finally {
      anon.close();
    }
    return this.establish({ v: 1, token, method: 'userpass', address: this.connection.address, username, trust: trustKey(this.connection) });
  }

  async loginToken(token: string): Promise<SessionInfo> {
    const trimmed = token.trim();
    if (!/^[A-Za-z0-9._-]{1,512}$/.test(trimmed)) throw new AppError('BAD_INPUT', 'That does not look like a Vault token.');
    await this.deps.store.check();
    return this.establish({ v: 1, token: trimmed, method: 'token', address: this.connection.address, username: null, trust: trustKey(this.connection) });
  }

  /** Revoke the token in Vault, delete it from the keychain, forget it here. */
  async logout(): Promise<SessionInfo> {
    const client = this.client;
    this.teardown();
    if (client) {
      try {
        await client.request('POST', 'auth/token/revoke-self');
      } catch (err) {
        // Still signed out locally; say so in the log without the token.
        log.warn(`profile ${this.profileId}: revoke-self failed (${err instanceof AppError ? err.code : 'error'})`);
      } finally {
        client.close();
      }
    }
    await this.deps.store.delete(this.account).catch(() => false);
    log.info(`profile ${this.profileId}: signed out`);
    return this.update(this.signedOut(null));
  }

  /** Switch to another profile: forget this session in memory (the keychain keeps it), then resume. */
  async switchTo(connection: VaultConnection, profileId: string): Promise<SessionInfo> {
    const client = this.client;
    this.teardown();
    client?.close();
    this.connection = connection;
    this.profileId = profileId;
    this.update(this.signedOut(null));
    return this.resume();
  }

  dispose(): void {
    const client = this.client;
    this.teardown();
    client?.close();
  }

  private async establish(stored: StoredSession): Promise<SessionInfo> {
    let info: SessionInfo;
    try {
      info = await this.adopt(stored);
    } catch (err) {
      throw err instanceof AppError && (err.code === 'PERMISSION_DENIED' || err.code === 'UNAUTHENTICATED')
        ? new AppError('UNAUTHENTICATED', 'Vault did not accept that token.')
        : err;
    }
    try {
      await this.deps.store.set(this.account, JSON.stringify(stored));
    } catch (err) {
      // The token must not outlive a failed save: revoke it and stay signed out.
      await this.logout().catch(() => undefined);
      throw err;
    }
    log.info(`profile ${this.profileId}: signed in (${stored.method}) as ${info.displayName}`);
    return info;
  }

  /** Validate a token with lookup-self and make it the live session. */
  private async adopt(stored: StoredSession): Promise<SessionInfo> {
    const client = this.makeClient(this.connection, stored.token);
    let self: LookupSelf;
    try {
      self = await client.request<LookupSelf>('GET', 'auth/token/lookup-self');
    } catch (err) {
      client.close();
      throw err;
    }
    const previous = this.client;
    this.teardown();
    previous?.close();
    this.client = client;
    this.stored = stored;
    const info = this.fromLookup(self, stored);
    this.schedule(self.data);
    return this.update(info);
  }

  private fromLookup(self: LookupSelf, stored: StoredSession): SessionInfo {
    const d = self.data;
    const ttl = d.ttl ?? 0;
    const renewable = d.renewable === true;
    const expiresAt = ttl > 0 ? new Date(this.deps.clock.now() + ttl * 1000).toISOString() : null;
    return {
      signedIn: true,
      profileId: this.profileId,
      address: this.connection.address,
      method: stored.method,
      displayName: d.display_name || stored.username || 'token',
      username: stored.username,
      entityId: d.entity_id || null,
      policies: [...(d.policies ?? [])].sort(),
      expiresAt,
      renewable,
      expiringSoon: expiresAt !== null && !renewable && ttl * 1000 <= EXPIRY_WARNING_MS,
      problem: null,
    };
  }

  private schedule(d: LookupSelf['data']): void {
    this.clearTimers();
    const ttl = d.ttl ?? 0;
    if (ttl <= 0) return; // never expires
    const ttlMs = ttl * 1000;
    const renewable = d.renewable === true;
    if (renewable) {
      this.renewTimer = this.deps.clock.setTimeout(() => void this.renew(d.creation_ttl || ttl), Math.max(1000, (ttlMs * 2) / 3));
    }
    this.scheduleExpiry(ttlMs, renewable);
  }

  private scheduleExpiry(ttlMs: number, renewable: boolean): void {
    this.deps.clock.clearTimeout(this.warnTimer);
    this.deps.clock.clearTimeout(this.expireTimer);
    if (!renewable) {
      this.warnTimer = this.deps.clock.setTimeout(() => {
        if (this.current.signedIn) this.update({ ...this.current, expiringSoon: true });
      }, Math.max(0, ttlMs - EXPIRY_WARNING_MS));
    }
    this.expireTimer = this.deps.clock.setTimeout(() => void this.expired(), ttlMs);
  }

  private async renew(increment: number): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      const res = await client.request<{ auth: { lease_duration: number; renewable: boolean } }>('POST', 'auth/token/renew-self', {
        increment: `${increment}s`,
      });
      const lease = res.auth.lease_duration;
      // Vault caps renewals at the token's max TTL; a shorter lease means we reached it.
      const canRenewAgain = res.auth.renewable && lease >= increment * 0.9;
      const expiresAt = new Date(this.deps.clock.now() + lease * 1000).toISOString();
      this.update({ ...this.current, expiresAt, renewable: canRenewAgain, expiringSoon: !canRenewAgain && lease * 1000 <= EXPIRY_WARNING_MS, problem: null });
      if (canRenewAgain) {
        this.renewTimer = this.deps.clock.setTimeout(() => void this.renew(increment), Math.max(1000, (lease * 1000 * 2) / 3));
      }
      this.scheduleExpiry(lease * 1000, canRenewAgain);
      log.info(`profile ${this.profileId}: token renewed for ${lease}s`);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'VAULT_ERROR';
      if (code === 'PERMISSION_DENIED' || code === 'UNAUTHENTICATED') {
        await this.expired();
        return;
      }
      log.warn(`profile ${this.profileId}: renewal failed (${code}); retrying`);
      this.update({ ...this.current, problem: 'Token renewal failed; retrying.' });
      this.renewTimer = this.deps.clock.setTimeout(() => void this.renew(increment), RETRY_RENEW_MS);
    }
  }

  private async expired(): Promise<void> {
    const client = this.client;
    this.teardown();
    client?.close();
    await this.deps.store.delete(this.account).catch(() => false);
    log.info(`profile ${this.profileId}: token expired; signed out`);
    this.update(this.signedOut('Your Vault session expired; sign in again.'));
  }

  private clearTimers(): void {
    this.deps.clock.clearTimeout(this.renewTimer);
    this.deps.clock.clearTimeout(this.warnTimer);
    this.deps.clock.clearTimeout(this.expireTimer);
    this.renewTimer = this.warnTimer = this.expireTimer = undefined;
  }

  private teardown(): void {
    this.clearTimers();
    this.client = null;
    this.stored = null;
  }

  private signedOut(problem: string | null): SessionInfo {
    return {
      signedIn: false,
      profileId: this.profileId,
      address: this.connection.address,
      method: null,
      displayName: '',
      username: null,
      entityId: null,
      policies: [],
      expiresAt: null,
      renewable: false,
      expiringSoon: false,
      problem,
    };
  }

  private update(info: SessionInfo): SessionInfo {
    this.current = info;
    for (const l of this.listeners) l(info);
    return info;
  }
}

function parseStored(raw: string): StoredSession | null {
  try {
    const v = JSON.parse(raw) as Partial<StoredSession>;
    if (v.v !== 1 || typeof v.token !== 'string' || typeof v.address !== 'string') return null;
    if (v.method !== 'userpass' && v.method !== 'token') return null;
    return { v: 1, token: v.token, method: v.method, address: v.address, username: typeof v.username === 'string' ? v.username : null, ...(typeof v.trust === 'string' ? { trust: v.trust } : {}) };
  } catch {
    return null;
  }
}

function loginError(err: unknown): AppError {
  if (err instanceof AppError) {
    if (err.code === 'VAULT_ERROR' && /\b400\b/.test(err.message)) return new AppError('UNAUTHENTICATED', 'Wrong username or password.');
    if (err.code === 'PERMISSION_DENIED' || err.code === 'UNAUTHENTICATED') return new AppError('UNAUTHENTICATED', 'Wrong username or password.');
    return err;
  }
  return new AppError('VAULT_ERROR', 'Sign-in failed.');
}
