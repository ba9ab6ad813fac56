// View Credentials: re-authenticate, read one tenant's SMTP admin credentials with the
// short-lived re-auth token, keep them for the reveal window (15 minutes; policy may
// shorten it, never lengthen it), then wipe everything on every kind of close:
// buffers zeroed, re-auth token revoked, clipboard cleared if it still holds our copy.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { RevealCloseReason, RevealStatus, RevealView } from '../../../shared/contracts/reveal';
import type { VaultConnection } from '../config/app-config';
import type { Logger } from '../log/logger';
import { createLogger } from '../log/logger';
import { paths } from '../seed/layout';
import type { SessionInfo } from '../session/session-types';
import type { RevealRepo } from '../storage/reveal-repo';
import type { Clock, TimerHandle } from '../time/clock';
import { createKvStore } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { noContentProtection, type ContentProtection, type SecretClipboard } from './clipboard';
import { clockTime, DEFAULT_LOCKOUT, lockoutSubject, RevealLockout, type LockoutPolicy, type ReauthAttempt } from './lockout';
import { Reauth, ReauthFailure } from './reauth';
import type { RevealAudit } from './reveal-audit';
import { SecretBuffer } from './secret-buffer';

export const MAX_WINDOW_MS = 15 * 60_000;
export const WARN_BEFORE_MS = 60_000;
const MIN_WINDOW_MS = 5_000;
const TOKEN_MARGIN_S = 15;
const TENANT_RE = /^t-\d{6,}$/;
const CODE_RE = /^\d{6}$/;

export interface RevealServiceDeps {
  session: { info(): SessionInfo; requireClient(): VaultClient; onChange(l: (info: SessionInfo) => void): () => void };
  connection: () => VaultConnection;
  kvMount: () => string;
  clock: Clock;
  repo: RevealRepo;
  clipboard: SecretClipboard;
  protection?: ContentProtection;
  audit: RevealAudit;
  onClosed: (e: { revealId: string; reason: RevealCloseReason }) => void;
  /** Policy: a shorter reveal window. Clamped to [5 s, 15 min]: never longer than 15 minutes. */
  windowMs?: number;
  lockout?: LockoutPolicy;
  makeClient?: (conn: VaultConnection, token?: string) => VaultClient;
  log?: Logger;
}

interface ActiveReveal {
  id: string;
  tenantId: string;
  path: string;
  username: SecretBuffer;
  password: SecretBuffer;
  /** The re-auth token's client; revoked on close. */
  client: VaultClient;
  expiresAt: number;
  timer: TimerHandle;
  copied: Set<'username' | 'password'>;
}

export class RevealService {
  readonly windowMs: number;
  private readonly reauth: Reauth;
  private readonly lockout: RevealLockout;
  private readonly protection: ContentProtection;
  private readonly log: Logger;
  private readonly active = new Map<string, ActiveReveal>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: RevealServiceDeps) {
    this.windowMs = Math.max(MIN_WINDOW_MS, Math.min(MAX_WINDOW_MS, deps.windowMs ?? MAX_WINDOW_MS));
    this.reauth = new Reauth({ connection: deps.connection, ...(deps.makeClient ? { makeClient: deps.makeClient } : {}) });
    this.lockout = new RevealLockout(deps.repo, deps.clock, deps.lockout ?? DEFAULT_LOCKOUT);
    this.protection = deps.protection ?? noContentProtection;
    this.log = deps.log ?? createLogger('reveal');
    // Sign-out (and a profile switch, which signs the old session out) closes every reveal.
    this.unsubscribe = deps.session.onChange((info) => {
      if (!info.signedIn && this.active.size > 0) void this.closeAll('sign-out');
    });
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** For tests: the buffers of a reveal, to check they are zeroed on close (keep the reference). */
  buffersForTest(revealId: string): { username: SecretBuffer; password: SecretBuffer } | undefined {
    const r = this.active.get(revealId);
    return r && { username: r.username, password: r.password };
  }

  async status(): Promise<RevealStatus> {
    const info = this.deps.session.info();
    const base = { windowSeconds: Math.round(this.windowMs / 1000), lockedUntil: null, enrolled: null, username: info.username };
    if (!info.signedIn) return { ...base, available: false, reason: 'Sign in to Vault first.' };
    if (info.method !== 'userpass' || !info.username) {
      return { ...base, available: false, reason: 'Viewing credentials needs a username and password sign-in (re-authentication is a fresh userpass login).' };
    }
    const until = this.lockout.lockedUntil(this.subjectOf(info));
    let enrolled: boolean | null = null;
    try {
      enrolled = info.entityId ? (await this.reauth.activeKey(this.deps.session.requireClient(), this.deps.kvMount(), info.entityId)) !== null : false;
    } catch (err) {
      this.log.warn(`status: could not check the 2FA key (${err instanceof AppError ? err.code : 'error'})`);
    }
    return { ...base, available: true, reason: null, enrolled, lockedUntil: until === null ? null : new Date(until).toISOString() };
  }

  async verify(input: { tenantId: string; password: string; code: string }): Promise<RevealView> {
    if (!TENANT_RE.test(input.tenantId)) throw new AppError('BAD_INPUT', 'Tenant id must look like t-000042.');
    if (!CODE_RE.test(input.code)) throw new AppError('BAD_INPUT', 'Enter the 6-digit code from your authenticator app.');
    if (input.password.length === 0) throw new AppError('BAD_INPUT', 'Enter your password.');
    const { info, subject } = this.requireUser();
    const path = paths.smtpAdmin(input.tenantId);
    // Reserved before any Vault call: parallel attempts cannot all pass the lockout check.
    const attempt = this.lockout.begin(subject);
    let client: VaultClient;
    let entityId: string;
    try {
      ({ client, entityId } = await this.factor(attempt, path, () => this.reauth.login(info.username!, input.password)));
    } catch (err) {
      attempt.release();
      throw err;
    }
    let handedOver = false;
    try {
      // The key of the identity Vault just signed in, made through another admin's grant (enrolment/).
      const key = entityId ? await this.reauth.activeKey(client, this.deps.kvMount(), entityId) : null;
      if (!key) throw new AppError('NOT_FOUND', 'No 2FA key is active for you in Vault; set up 2FA with a grant from another admin first.');
      await this.factor(attempt, path, () => this.reauth.validateCode(client, key, input.code));
      attempt.succeeded();
      // A small margin so the close (not the expiry) normally ends the token, visibly in Vault's log.
      await this.reauth.limitTtl(client, Math.ceil(this.windowMs / 1000) + TOKEN_MARGIN_S);
      const view = await this.readAndHold(input.tenantId, path, client);
      handedOver = true;
      return view;
    } finally {
      // Ended without a verdict on a factor (NOT_FOUND, Vault unreachable): not a failure.
      attempt.release();
      // Any failure before the reveal holds the token: revoke it now.
      if (!handedOver) await this.reauth.revoke(client).catch(() => this.log.warn(`verify ${path}: revoking the re-auth token failed`));
    }
  }

  async copy(revealId: string, field: 'username' | 'password'): Promise<{ copied: boolean }> {
    const r = this.requireReveal(revealId);
    this.deps.clipboard.writeSecret((field === 'username' ? r.username : r.password).reveal());
    r.copied.add(field);
    this.deps.audit.record('copy', r.path, 'ok', field);
    return { copied: true };
  }

  async close(revealId: string, reason: RevealCloseReason = 'user'): Promise<{ closed: boolean }> {
    const r = this.active.get(revealId);
    if (!r) return { closed: false };
    await this.closeOne(r, reason);
    return { closed: true };
  }

  async closeAll(reason: RevealCloseReason): Promise<void> {
    await Promise.all([...this.active.values()].map((r) => this.closeOne(r, reason)));
  }

  async dispose(): Promise<void> {
    this.unsubscribe();
    await this.closeAll('quit');
  }

  private async readAndHold(tenantId: string, path: string, client: VaultClient): Promise<RevealView> {
    const tag = this.deps.audit.beginReveal(path);
    client.setHeaders(tag.headers);
    const kv = createKvStore(client, this.deps.kvMount());
    let secret;
    let meta;
    let profileMeta;
    try {
      // Read now, with the re-auth token: never prefetched, never cached.
      secret = await kv.read<Record<string, unknown>>(path);
      if (!secret) throw new AppError('NOT_FOUND', `Tenant ${tenantId} has no SMTP admin credentials.`);
      [meta, profileMeta] = await Promise.all([kv.readMetadata(path), kv.readMetadata(paths.profile(tenantId)).catch(() => null)]);
    } catch (err) {
      tag.finish(err instanceof AppError && err.code === 'NOT_FOUND' ? 'not-found' : err instanceof AppError && err.code === 'PERMISSION_DENIED' ? 'denied' : 'error', err instanceof AppError ? err.message : 'read failed');
      throw err;
    }
    const username = typeof secret.data.username === 'string' ? secret.data.username : null;
    const password = typeof secret.data.password === 'string' ? secret.data.password : null;
    if (username === null || password === null) {
      tag.finish('error', 'unexpected secret shape');
      throw new AppError('VAULT_ERROR', `The SMTP secret of ${tenantId} has no username or password field.`);
    }
    // Fail closed: no audit record, no reveal (the finally in verify revokes the token).
    tag.finish('ok');

    const cm = { ...(meta?.customMetadata ?? {}), ...secret.customMetadata };
    const id = `rv-${randomBytes(16).toString('hex')}`;
    const expiresAt = this.deps.clock.now() + this.windowMs;
    const reveal: ActiveReveal = {
      id,
      tenantId,
      path,
      username: new SecretBuffer(username),
      password: new SecretBuffer(password),
      client,
      expiresAt,
      timer: this.deps.clock.setTimeout(() => void this.close(id, 'timer'), this.windowMs),
      copied: new Set(),
    };
    // One credential on screen at a time.
    await this.closeAll('replaced');
    this.active.set(id, reveal);
    this.protection.setProtected(true);

    const webmail = typeof secret.data.webmail_url === 'string' ? secret.data.webmail_url : (cm.webmail_url ?? null);
    return {
      revealId: id,
      tenantId,
      tenantName: profileMeta?.customMetadata.tenant_name ?? tenantId,
      username: reveal.username.reveal(),
      password: reveal.password.reveal(),
      webmailUrl: webmail && /^https:\/\//.test(webmail) ? webmail : null,
      smtpHost: typeof secret.data.smtp_host === 'string' ? secret.data.smtp_host : null,
      smtpPort: typeof secret.data.smtp_port === 'number' ? secret.data.smtp_port : Number(secret.data.smtp_port) || null,
      createdAt: meta?.createdTime || null,
      lastRotated: cm.last_rotated ?? null,
      nextRotation: cm.next_rotation ?? null,
      remainingMs: this.windowMs,
      windowSeconds: Math.round(this.windowMs / 1000),
      warnAtMs: WARN_BEFORE_MS,
    };
  }

  private async closeOne(r: ActiveReveal, reason: RevealCloseReason): Promise<void> {
    if (!this.active.delete(r.id)) return;
    this.deps.clock.clearTimeout(r.timer);
    // Clipboard first, while the buffers can still tell what was copied.
    try {
      this.deps.clipboard.clearIfHolds([...r.copied].map((f) => (f === 'username' ? r.username : r.password).reveal()));
    } catch (err) {
      this.log.warn(`close ${r.id}: clipboard check failed (${err instanceof Error ? err.name : 'error'})`);
    }
    r.username.wipe();
    r.password.wipe();
    if (this.active.size === 0) this.protection.setProtected(false);
    this.deps.onClosed({ revealId: r.id, reason });
    try {
      this.deps.audit.record('close', r.path, 'ok', reason);
    } catch (err) {
      this.log.error(`close ${r.id}: audit record failed`, err);
    }
    try {
      await this.reauth.revoke(r.client);
      this.log.info(`closed ${r.id} (${r.tenantId}, ${reason}); re-auth token revoked`);
    } catch (err) {
      // The token expires with the window anyway (its TTL was limited at verify).
      this.log.warn(`close ${r.id}: revoking the re-auth token failed (${err instanceof AppError ? err.code : 'error'}); it expires with the window`);
    }
  }

  /** Runs one re-auth factor; a wrong factor counts towards the lockout. */
  private async factor<T>(attempt: ReauthAttempt, path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ReauthFailure)) throw err;
      this.deps.audit.record('reauth-failed', path, 'denied', err.factor);
      const outcome = attempt.failed(err.factor);
      if (outcome.lockedUntil !== null) {
        this.deps.audit.record('lockout', path, 'denied', `${outcome.failures}-failures`);
        this.log.warn(`reveals locked for ${this.deps.session.info().username ?? 'unknown'} until ${new Date(outcome.lockedUntil).toISOString()}`);
        throw new AppError('PERMISSION_DENIED', `${err.message} Too many failed attempts: viewing credentials is locked until ${clockTime(outcome.lockedUntil)}.`);
      }
      throw err;
    }
  }

  private requireUser(): { info: SessionInfo; subject: string } {
    const info = this.deps.session.info();
    if (!info.signedIn) throw new AppError('UNAUTHENTICATED', 'Sign in to Vault first.');
    if (info.method !== 'userpass' || !info.username) {
      throw new AppError('PERMISSION_DENIED', 'Viewing credentials needs a username and password sign-in.');
    }
    return { info, subject: this.subjectOf(info) };
  }

  /**
   * The lockout counts per Vault identity (the entity id Vault reported for this session),
   * whatever profile or address spelling reaches it: localhost, the IP and a second DNS name
   * are one Vault. Only a session without an identity falls back to address and username.
   */
  private subjectOf(info: SessionInfo): string {
    return lockoutSubject(info.address || this.deps.connection().address, info.username ?? '', info.entityId);
  }

  private requireReveal(id: string): ActiveReveal {
    const r = this.active.get(id);
    if (!r) throw new AppError('NOT_FOUND', 'These credentials are no longer shown; verify again to view them.');
    return r;
  }
}
