// The reveal window, the wipe and the lockout with a controllable clock. Vault is an
// in-memory VaultClient that answers the few calls the reveal makes (unit tests of the
// service's own logic; test/integration/reveal runs the same flow against OpenBao).
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/shared/errors';
import type { RevealCloseReason } from '../../../../../src/shared/contracts/reveal';
import type { VaultConnection } from '../../../../../src/main/services/config/app-config';
import { MemoryClipboard } from '../../../../../src/main/services/reveal/clipboard';
import { logRevealAudit, type RevealAudit } from '../../../../../src/main/services/reveal/reveal-audit';
import { RevealService, type RevealServiceDeps } from '../../../../../src/main/services/reveal/reveal-service';
import type { SessionInfo } from '../../../../../src/main/services/session/session-types';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { RevealRepo } from '../../../../../src/main/services/storage/reveal-repo';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import type { VaultClient } from '../../../../../src/main/services/vault/vault-client';
import { createLogger } from '../../../../../src/main/services/log/logger';

const PASSWORD = 'right-password';
const CODE = '123456';
const ENTITY = '0f0e0d0c-0b0a-4908-8706-050403020100';
// The 2FA key another admin's grant made (enrolment/): the only kind reveals validate against.
const KEY = `vault-console-e-${ENTITY}-g000000000001`;
const SMTP = { username: 'admin@acme-1.example.com', password: 'Sm7p-Pa55word-0123456789abcdefXYZ', webmail_url: 'https://mail.acme-1.example.com' };

class InMemoryVault {
  tokens = new Set<string>();
  revoked: string[] = [];
  calls: string[] = [];
  private n = 0;
  client(token?: string): VaultClient {
    const calls = this.calls;
    const vault = { tokens: this.tokens, revoked: this.revoked, next: () => ++this.n };
    const fail = (status: number, msg: string): never => {
      throw new AppError(status === 403 ? 'PERMISSION_DENIED' : status === 404 ? 'NOT_FOUND' : 'VAULT_ERROR', `Vault answered ${status}: ${msg}`);
    };
    return {
      connection: conn,
      raw: {} as VaultClient['raw'],
      transport: {} as VaultClient['transport'],
      token: () => token,
      baseHeaders: () => ({}),
      setToken: () => undefined,
      setHeaders: () => undefined,
      close: () => undefined,
      async request<T>(method: string, path: string, body?: unknown): Promise<T> {
        calls.push(`${method} ${path}`);
        const b = (body ?? {}) as Record<string, string>;
        if (path.startsWith('auth/userpass/login/')) {
          if (b.password !== PASSWORD) fail(400, 'invalid username or password');
          const t = `tok-${vault.next()}`;
          vault.tokens.add(t);
          return { auth: { client_token: t, entity_id: ENTITY } } as T;
        }
        if (!token || !vault.tokens.has(token)) fail(403, 'permission denied');
        if (path === 'auth/token/revoke-self') {
          vault.tokens.delete(token!);
          vault.revoked.push(token!);
          return {} as T;
        }
        if (path === 'auth/token/renew-self') return { auth: { lease_duration: Number.parseInt(b.increment ?? '0', 10) } } as T;
        if (path === `tenants-enrolment/data/active/${ENTITY}`) return { data: { data: { key_name: KEY, grant_id: 'g000000000001' } } } as T;
        if (path === `totp/keys/${KEY}`) return { data: { account_name: 'admin' } } as T;
        if (path === `totp/code/${KEY}`) return { data: { valid: b.code === CODE } } as T;
        if (path === 'tenants/data/t-000001/smtp/admin') {
          return { data: { data: SMTP, metadata: { version: 1, created_time: '2025-10-01T00:00:00Z', custom_metadata: { last_rotated: '2025-10-01T00:00:00.000Z', next_rotation: '2026-03-30T00:00:00.000Z' } } } } as T;
        }
        if (path === 'tenants/metadata/t-000001/smtp/admin') return { data: { created_time: '2025-09-01T00:00:00Z', custom_metadata: {} } } as T;
        if (path === 'tenants/metadata/t-000001/profile') return { data: { custom_metadata: { tenant_name: 'Acme Mail' } } } as T;
        return fail(404, 'not found');
      },
    };
  }
}

const conn = { address: 'http://127.0.0.1:1', timeoutMs: 1000, kvMount: 'tenants' } as VaultConnection;

function signedIn(over: Partial<SessionInfo> = {}): SessionInfo {
  return {
    signedIn: true, profileId: 'p1', address: conn.address, method: 'userpass', displayName: 'userpass-admin', username: 'admin',
    entityId: ENTITY, policies: ['vault-console-admin'], expiresAt: null, renewable: true, expiringSoon: false, problem: null, ...over,
  };
}

function setup(opts: { windowMs?: number; db?: ReturnType<typeof openDatabase>; clock?: ManualClock } = {}) {
  const clock = opts.clock ?? new ManualClock();
  const vault = new InMemoryVault();
  const db = opts.db ?? openDatabase(':memory:');
  const clipboard = new MemoryClipboard();
  const closed: { revealId: string; reason: RevealCloseReason }[] = [];
  const events: string[] = [];
  const base = logRevealAudit(createLogger('test'));
  const audit: RevealAudit = {
    beginReveal: (path) => {
      const t = base.beginReveal(path);
      return { headers: {}, finish: (status, err) => { events.push(`reveal ${path} ${status}`); t.finish(status, err); } };
    },
    record: (kind, path, status, detail) => events.push(`${kind} ${path} ${status} ${detail}`),
  };
  let info = signedIn();
  const listeners = new Set<(i: SessionInfo) => void>();
  const protectedStates: boolean[] = [];
  const deps: RevealServiceDeps = {
    session: { info: () => info, requireClient: () => vault.client('session'), onChange: (l) => (listeners.add(l), () => listeners.delete(l)) },
    connection: () => conn,
    kvMount: () => 'tenants',
    clock,
    repo: new RevealRepo(db),
    clipboard,
    protection: { setProtected: (on) => protectedStates.push(on) },
    audit,
    onClosed: (e) => closed.push(e),
    makeClient: (_c, token) => vault.client(token),
    ...(opts.windowMs !== undefined ? { windowMs: opts.windowMs } : {}),
  };
  vault.tokens.add('session');
  const service = new RevealService(deps);
  const signOut = () => {
    info = { ...info, signedIn: false };
    for (const l of listeners) l(info);
  };
  return { clock, vault, db, clipboard, closed, events, service, signOut, protectedStates };
}

const flush = () => new Promise((r) => setImmediate(r));
const verify = (s: RevealService, over: Partial<{ password: string; code: string }> = {}) =>
  s.verify({ tenantId: 't-000001', password: PASSWORD, code: CODE, ...over });

describe('RevealService', () => {
  it('reveals after both factors, with a token limited to the window, and audits the reveal', async () => {
    const { service, vault, events, protectedStates } = setup();
    const view = await verify(service);
    expect(view).toMatchObject({ tenantName: 'Acme Mail', username: SMTP.username, password: SMTP.password, webmailUrl: SMTP.webmail_url, windowSeconds: 900, remainingMs: 900_000 });
    expect(view.createdAt).toBe('2025-09-01T00:00:00Z');
    expect(view.lastRotated).toBe('2025-10-01T00:00:00.000Z');
    expect(vault.calls).toContain('POST auth/token/renew-self');
    expect(events).toContain('reveal t-000001/smtp/admin ok');
    expect(protectedStates).toEqual([true]);
  });

  it('auto-closes at the end of the window: buffers zeroed, token revoked, closed event sent', async () => {
    const { service, clock, vault, closed, events, protectedStates } = setup();
    const view = await verify(service);
    const bufs = service.buffersForTest(view.revealId)!;
    const bytes = bufs.password.bytesForTest()!;
    clock.advance(14 * 60_000 + 59_000);
    expect(service.activeCount).toBe(1);
    expect(closed).toEqual([]);
    clock.advance(1_000);
    await flush();
    expect(closed).toEqual([{ revealId: view.revealId, reason: 'timer' }]);
    expect(service.activeCount).toBe(0);
    expect(bufs.password.wiped).toBe(true);
    expect([...bytes].every((b) => b === 0)).toBe(true);
    expect(vault.revoked).toHaveLength(1);
    expect(events).toContain('close t-000001/smtp/admin ok timer');
    expect(protectedStates).toEqual([true, false]);
    await expect(service.copy(view.revealId, 'password')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a shorter policy window is honoured and a longer one is capped at 15 minutes', async () => {
    expect(setup({ windowMs: 60_000 }).service.windowMs).toBe(60_000);
    expect(setup({ windowMs: 60 * 60_000 }).service.windowMs).toBe(15 * 60_000);
    const { service, clock, closed } = setup({ windowMs: 10_000 });
    const view = await verify(service);
    expect(view.remainingMs).toBe(10_000);
    clock.advance(10_000);
    await flush();
    expect(closed.map((c) => c.reason)).toEqual(['timer']);
  });

  it('clears the clipboard on close when it still holds what the console copied', async () => {
    const { service, clipboard, events } = setup();
    const view = await verify(service);
    await service.copy(view.revealId, 'password');
    expect(clipboard.readText()).toBe(SMTP.password);
    expect(clipboard.lastWriteMarkedSecret).toBe(true);
    expect(events).toContain('copy t-000001/smtp/admin ok password');
    await service.close(view.revealId);
    expect(clipboard.readText()).toBe('');
  });

  it('leaves the clipboard alone when something else was copied since', async () => {
    const { service, clipboard } = setup();
    const view = await verify(service);
    await service.copy(view.revealId, 'username');
    clipboard.writeText('an unrelated note');
    await service.close(view.revealId);
    expect(clipboard.readText()).toBe('an unrelated note');
    expect(clipboard.clears).toBe(0);
  });

  it('sign-out closes every reveal and revokes its token', async () => {
    const { service, signOut, closed, vault } = setup();
    const view = await verify(service);
    signOut();
    await flush();
    expect(closed).toEqual([{ revealId: view.revealId, reason: 'sign-out' }]);
    expect(vault.revoked).toHaveLength(1);
  });

  it('a second reveal replaces the first (one credential on screen)', async () => {
    const { service, closed } = setup();
    const first = await verify(service);
    const second = await verify(service);
    expect(closed).toEqual([{ revealId: first.revealId, reason: 'replaced' }]);
    expect(service.activeCount).toBe(1);
    expect(second.revealId).not.toBe(first.revealId);
  });

  it('a wrong password is refused with a clear message and its login never reads the secret', async () => {
    const { service, vault, events } = setup();
    await expect(verify(service, { password: 'nope' })).rejects.toThrow('Wrong password.');
    expect(vault.calls.some((c) => c.includes('/data/'))).toBe(false);
    expect(events).toContain('reauth-failed t-000001/smtp/admin denied password');
  });

  it('a wrong 2FA code is refused and the fresh login token is revoked', async () => {
    const { service, vault } = setup();
    await expect(verify(service, { code: '654321' })).rejects.toThrow('Wrong 2FA code.');
    expect(vault.revoked).toEqual(['tok-1']);
    expect(vault.calls.some((c) => c.includes('tenants/data/'))).toBe(false);
  });

  it('a malformed code or tenant id is a BAD_INPUT that does not count as a failure', async () => {
    const { service } = setup();
    for (let i = 0; i < 6; i++) await expect(verify(service, { code: '12ab56' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(service.verify({ tenantId: '../x', password: PASSWORD, code: CODE })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(verify(service)).resolves.toMatchObject({ username: SMTP.username });
  });

  it('five failures in five minutes lock reveals, audit the lockout, and survive a restart', async () => {
    const db = openDatabase(':memory:');
    const clock = new ManualClock();
    const a = setup({ db, clock });
    for (let i = 0; i < 4; i++) await expect(verify(a.service, { code: '000000' })).rejects.toThrow('Wrong 2FA code.');
    await expect(verify(a.service, { password: 'bad' })).rejects.toThrow(/locked until/);
    expect(a.events).toContain('lockout t-000001/smtp/admin denied 5-failures');
    // A new service on the same database (a restart) is still locked, before any Vault call.
    const b = setup({ db, clock });
    await expect(verify(b.service)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(b.vault.calls).toEqual([]);
    expect((await b.service.status()).lockedUntil).toBe(new Date(clock.now() + 15 * 60_000).toISOString());
    clock.advance(15 * 60_000);
    await expect(verify(b.service)).resolves.toMatchObject({ username: SMTP.username });
  });

  it('failures older than five minutes do not count towards the lockout', async () => {
    const { service, clock } = setup();
    for (let i = 0; i < 4; i++) await expect(verify(service, { code: '000000' })).rejects.toThrow('Wrong 2FA code.');
    clock.advance(5 * 60_000 + 1);
    await expect(verify(service, { code: '000000' })).rejects.toThrow('Wrong 2FA code.');
    await expect(verify(service)).resolves.toMatchObject({ username: SMTP.username });
  });

  it('the lockout belongs to the Vault user: another profile to the same Vault (address spelt differently) is locked too', async () => {
    const db = openDatabase(':memory:');
    const clock = new ManualClock();
    const a = setup({ db, clock });
    for (let i = 0; i < 5; i++) await expect(verify(a.service, { password: 'bad' })).rejects.toMatchObject({ code: expect.stringMatching(/UNAUTHENTICATED|PERMISSION_DENIED/) });
    const b = setup({ db, clock });
    (b.service as unknown as { deps: RevealServiceDeps }).deps.session.info = () => signedIn({ profileId: 'p-new', address: 'HTTP://127.0.0.1:1/', username: 'ADMIN' });
    await expect(verify(b.service)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(b.vault.calls).toEqual([]);
    expect((await b.service.status()).lockedUntil).not.toBeNull();
  });

  it('parallel attempts reserve their place first: of 20 at once, at most 5 reach Vault', async () => {
    const { service, vault } = setup();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verify(service, { password: 'bad' })));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(vault.calls.filter((c) => c.startsWith('POST auth/userpass/login/')).length).toBeLessThanOrEqual(5);
    await expect(verify(service)).rejects.toThrow(/locked until/);
  });

  it('an attempt that ends without a verdict (Vault unreachable) does not count towards the lockout', async () => {
    const { service, vault } = setup();
    const realClient = vault.client.bind(vault);
    vault.client = () => ({ ...realClient(), request: async () => { throw new AppError('VAULT_UNREACHABLE', 'Vault is unreachable.'); } });
    for (let i = 0; i < 8; i++) await expect(verify(service)).rejects.toMatchObject({ code: 'VAULT_UNREACHABLE' });
    vault.client = realClient;
    await expect(verify(service)).resolves.toMatchObject({ username: SMTP.username });
  });

  it('a token sign-in cannot reveal: re-authentication needs a userpass password', async () => {
    const { service } = setup();
    (service as unknown as { deps: RevealServiceDeps }).deps.session.info = () => signedIn({ method: 'token', username: null });
    await expect(verify(service)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await service.status()).toMatchObject({ available: false });
  });

  it('dispose (app quit) closes reveals with reason quit', async () => {
    const { service, closed, vault } = setup();
    await verify(service);
    await service.dispose();
    expect(closed.map((c) => c.reason)).toEqual(['quit']);
    expect(vault.revoked).toHaveLength(1);
  });
});
