// The reveal flow against the real OpenBao: a 2FA key enrolled through a grant, re-auth
// by a fresh userpass login plus a TOTP code Vault validates, the read with the re-auth
// token (seen in Vault's audit log), revocation on close, lockout, clipboard wipe.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultConnection } from '../../../src/main/services/config/app-config';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { AuditRecorder } from '../../../src/main/services/audit/audit-recorder';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { createLogger } from '../../../src/main/services/log/logger';
import { MemoryClipboard } from '../../../src/main/services/reveal/clipboard';
import { recorderRevealAudit } from '../../../src/main/services/reveal/reveal-audit';
import { RevealService } from '../../../src/main/services/reveal/reveal-service';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { SessionService } from '../../../src/main/services/session/session-service';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { openDatabase, type SqlDatabase } from '../../../src/main/services/storage/database';
import { RevealRepo } from '../../../src/main/services/storage/reveal-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore } from '../../../src/main/services/vault/kv';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { enrolThroughGrant } from '../enrolment/enrolment-fixtures';
import { type CodeSource, createRevealUser, rootCaller } from './reveal-fixtures';

const TENANT = 't-970001';
let s: ServicesState;
let conn: VaultConnection;
let user: { username: string; password: string };
let db: SqlDatabase;
let dir: string;
let session: SessionService;
let reveal: RevealService;
let clipboard: MemoryClipboard;
let codes: CodeSource;
let keyName: string;
const tokens: string[] = [];
const closed: string[] = [];

beforeAll(async () => {
  s = await loadTestServices();
  conn = connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount });
  const root = createVaultClient(conn, s.openbao.rootToken);
  await seedTenants({ client: root, mount: s.openbao.kvMount, count: 2, startIndex: 970001, dkimPoolSize: 1, logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } });
  root.close();
  user = await createRevealUser(rootCaller(s.openbao.addr, s.openbao.rootToken), 'reveal-it');
  dir = mkdtempSync(join(tmpdir(), 'reveal-it-'));
  db = openDatabase(join(dir, 'console.db'));
  session = new SessionService({ store: new MemorySecretStore(), clock: systemClock }, conn, 'p-it');
  await session.loginUserpass(user.username, user.password);
  clipboard = new MemoryClipboard();
  const recorder = new AuditRecorder(new AuditRepo(db), systemClock, () => ({ user: session.info().username ?? 'unknown' }));
  reveal = new RevealService({
    session,
    connection: () => conn,
    kvMount: () => s.openbao.kvMount,
    clock: systemClock,
    repo: new RevealRepo(db),
    clipboard,
    audit: recorderRevealAudit(recorder, createLogger('reveal')),
    onClosed: (e) => closed.push(`${e.revealId}:${e.reason}`),
    windowMs: 60_000,
    // Record the re-auth tokens the service makes, to check Vault's view of them.
    makeClient: (c, token) => {
      if (token) tokens.push(token);
      return createVaultClient(c, token);
    },
  });
}, 120_000);

afterAll(async () => {
  await reveal?.dispose();
  session?.dispose();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const consoleEvents = () => db.prepare('SELECT action, tenant, user, secret_type AS secretType, status, request_id AS requestId FROM audit_events ORDER BY id').all() as {
  action: string; tenant: string | null; user: string; secretType: string; status: string; requestId: string;
}[];

describe('reveal against OpenBao', () => {
  it('says 2FA is not set up before enrollment, and refuses a reveal until it is', async () => {
    expect(await reveal.status()).toMatchObject({ available: true, enrolled: false, lockedUntil: null, windowSeconds: 60 });
    await expect(reveal.verify({ tenantId: TENANT, password: user.password, code: '123456' })).rejects.toThrow(/set up 2FA with a grant from another admin/);
  });

  it('2FA is enrolled only through another admin\'s grant and a valid code; reveals then see it', async () => {
    const e = await enrolThroughGrant({ addr: s.openbao.addr, rootToken: s.openbao.rootToken, kvMount: s.openbao.kvMount, grantee: user });
    codes = e.codes;
    keyName = e.keyName;
    expect((await reveal.status()).enrolled).toBe(true);
  });

  it('the console policy lets a session validate codes but never read one from Vault', async () => {
    const token = (await baoFetch<{ auth: { client_token: string } }>(s, 'POST', `auth/userpass/login/${user.username}`, { token: null, body: { password: user.password } })).body.auth.client_token;
    const r = await baoFetch(s, 'GET', `totp/code/${keyName}`, { token });
    expect(r.status).toBe(403);
    await baoFetch(s, 'POST', 'auth/token/revoke-self', { token });
  });

  it('a wrong code is refused by Vault with a clear message', async () => {
    await expect(reveal.verify({ tenantId: TENANT, password: user.password, code: await codes.wrong(0) })).rejects.toThrow('Wrong 2FA code.');
    // The login token of that attempt was revoked.
    const last = tokens.at(-1)!;
    expect((await baoFetch(s, 'GET', 'auth/token/lookup-self', { token: last })).status).toBe(403);
  });

  it('reveals with a short-lived re-auth token that Vault audits, then wipes and revokes on close', async () => {
    const view = await reveal.verify({ tenantId: TENANT, password: user.password, code: await codes.valid() });
    const root = createKvStore(createVaultClient(conn, s.openbao.rootToken), s.openbao.kvMount);
    const truth = await root.read<{ username: string; password: string; webmail_url: string }>(`${TENANT}/smtp/admin`);
    expect(view.username).toBe(truth!.data.username);
    expect(view.password).toBe(truth!.data.password);
    expect(view.webmailUrl).toBe(truth!.data.webmail_url);
    expect(view.nextRotation).toBe(truth!.customMetadata.next_rotation);

    const revealToken = tokens.at(-1)!;
    const look = await baoFetch<{ data: { ttl: number; display_name: string } }>(s, 'GET', 'auth/token/lookup-self', { token: revealToken });
    expect(look.status).toBe(200);
    expect(look.body.data.ttl).toBeLessThanOrEqual(60 + 15);
    expect(look.body.data.display_name).toBe(`userpass-${user.username}`);
    // The session token is not the one that read: Vault's audit log shows the re-auth token's read.
    const auditLines = readFileSync(s.openbao.auditLogPath, 'utf8').split('\n').filter((l) => l.includes(`${TENANT}/smtp/admin`) && l.includes('"response"'));
    expect(auditLines.some((l) => l.includes(`userpass-${user.username}`) && /"operation":"read"/.test(l))).toBe(true);

    await reveal.copy(view.revealId, 'password');
    expect(clipboard.readText()).toBe(truth!.data.password);
    await reveal.close(view.revealId);
    expect(clipboard.readText()).toBe('');
    expect(closed.at(-1)).toBe(`${view.revealId}:user`);
    expect((await baoFetch(s, 'GET', 'auth/token/lookup-self', { token: revealToken })).status).toBe(403);
    const mine = consoleEvents().filter((e) => e.tenant === TENANT);
    expect(mine.every((e) => e.user === user.username && e.secretType === 'smtp')).toBe(true);
    expect(mine.some((e) => e.action === 'reveal' && e.status === 'ok')).toBe(true);
    expect(mine.map((e) => e.requestId)).toEqual(expect.arrayContaining([expect.stringMatching(/^vc-reveal-copy-password-/), expect.stringMatching(/^vc-reveal-close-user-/)]));
  });

  it('five failures lock reveals for the user, audited, even with the right factors afterwards', async () => {
    // The success above cleared earlier failures: four more are refused, the fifth locks.
    for (let i = 1; i <= 4; i++) {
      await expect(reveal.verify({ tenantId: TENANT, password: user.password, code: await codes.wrong(i) })).rejects.toThrow('Wrong 2FA code.');
    }
    await expect(reveal.verify({ tenantId: TENANT, password: user.password, code: await codes.wrong(5) })).rejects.toThrow(/locked until/);
    await expect(reveal.verify({ tenantId: TENANT, password: user.password, code: await codes.valid() })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((await reveal.status()).lockedUntil).not.toBeNull();
    expect(consoleEvents().some((e) => e.requestId.startsWith('vc-reveal-lockout-'))).toBe(true);
    expect(consoleEvents().filter((e) => e.action === 'failed-login' && e.tenant === TENANT)).toHaveLength(6);
  });
});
