// Second-factor enrolment against the real OpenBao (its TOTP engine, response wrapping,
// templated policies) and real TOTP codes: a grant by another admin, opened once, active
// only after a valid code; re-enrolment by the same rule; audit records in the console
// and in Vault's own audit log.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecorder } from '../../../src/main/services/audit/audit-recorder';
import { EnrolmentService } from '../../../src/main/services/enrolment/enrolment-service';
import { setLogSink } from '../../../src/main/services/log/logger';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { openDatabase, type SqlDatabase } from '../../../src/main/services/storage/database';
import { systemClock } from '../../../src/main/services/time/clock';
import { activeKeyName } from '../../../src/main/services/enrolment/active-key';
import { CodeSource, createRevealUser, rootCaller, secretOf } from '../reveal/reveal-fixtures';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { signedIn, type Account } from './enrolment-fixtures';

let s: ServicesState;
let alice: Account;
let bob: Account;
let carol: Account;
let dir: string;
let db: SqlDatabase;
const sessions: Array<{ logout(): Promise<unknown> }> = [];

/** A signed-in enrolment service whose audit goes to a real AuditRecorder (SQLite). */
async function as(who: Account) {
  const x = await signedIn(s.openbao.addr, s.openbao.kvMount, who);
  sessions.push(x.session);
  const recorder = new AuditRecorder(new AuditRepo(db), systemClock, () => ({ user: who.username }));
  const enrolment = new EnrolmentService({
    session: x.session,
    kvMount: () => s.openbao.kvMount,
    clock: systemClock,
    audit: {
      begin(action, path) {
        const tag = recorder.begin(action, { path });
        return { headers: tag.headers, finish: (st, e) => recorder.finish(tag, st, e) };
      },
    },
  });
  return { ...x, enrolment };
}

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink(() => undefined);
  const call = rootCaller(s.openbao.addr, s.openbao.rootToken);
  [alice, bob, carol] = await Promise.all([createRevealUser(call, 'enrol-a'), createRevealUser(call, 'enrol-b'), createRevealUser(call, 'enrol-c')]);
  dir = mkdtempSync(join(tmpdir(), 'vc-enrol-'));
  db = openDatabase(join(dir, 'console.db'));
}, 60_000);

afterAll(async () => {
  for (const x of sessions) await x.logout().catch(() => undefined);
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a first enrolment', () => {
  let aliceCodes: CodeSource;

  it('is granted by another admin, opened once, and active only after a valid code from the new authenticator', async () => {
    const a = await as(alice);
    const b = await as(bob);
    const before = await a.enrolment.status();
    expect(before).toMatchObject({ available: true, active: null, grants: [] });

    const auditStart = statSync(s.openbao.auditLogPath).size;
    const g = await b.enrolment.grant(alice.username, 90);
    expect(g.username).toBe(alice.username);
    // Vault enforces the expiry: the wrapping token lives exactly the grant's validity.
    const grants = (await a.enrolment.status()).grants;
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ grantId: g.grantId, grantedBy: bob.username, grantedByVerified: true, state: 'ready', expiresAt: g.expiresAt });
    const me = (await a.enrolment.status()).entityId!;
    const rec = await baoFetch<{ data: { data: { wrap_token: string } } }>(s, 'GET', `${s.openbao.kvMount}-enrolment/data/grants/${me}/${grants[0]!.granterEntityId}`);
    const wrap = await baoFetch<{ data: { creation_ttl: number; creation_path: string } }>(s, 'POST', 'sys/wrapping/lookup', { body: { token: rec.body.data.data.wrap_token } });
    expect(wrap.body.data.creation_ttl).toBe(90 * 60);
    expect(wrap.body.data.creation_path).toMatch(new RegExp(`^totp/keys/vault-console-e-${me}-${g.grantId}$`));

    const start = await a.enrolment.begin(grants[0]!.granterEntityId);
    expect(start.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Vault%20Console:/);
    expect(Buffer.from(start.qrPngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    aliceCodes = new CodeSource(secretOf(start.otpauthUrl));
    // Opened, not active: a bad scan does not lock anyone out, and nothing counts as enrolled yet.
    expect(await a.enrolment.status()).toMatchObject({ active: null, grants: [{ state: 'opened' }] });

    await expect(a.enrolment.confirm(g.grantId, await aliceCodes.wrong(0))).rejects.toThrow(/Wrong code/);
    expect((await a.enrolment.status()).active).toBeNull();

    const after = await a.enrolment.confirm(g.grantId, await aliceCodes.valid());
    expect(after.active).toMatchObject({ grantId: g.grantId, grantedBy: bob.username });
    expect(after.grants[0]!.state).toBe('active');

    // Both sides are audit events: the console's records...
    const rows = db.prepare("SELECT action, user, status FROM audit_events WHERE source = 'console' AND path LIKE 'enrolment/%' ORDER BY id").all() as Array<{ action: string; user: string; status: string }>;
    expect(rows).toEqual([
      { action: 'enrol-grant', user: bob.username, status: 'ok' },
      { action: 'enrol', user: alice.username, status: 'pending' },
      { action: 'enrol', user: alice.username, status: 'denied' },
      { action: 'enrol', user: alice.username, status: 'ok' },
    ]);
    // ...and Vault's own log, which names the console action on the requests themselves.
    // A byte offset (statSync): slice the bytes, earlier lines may hold multi-byte characters.
    const lines = readFileSync(s.openbao.auditLogPath).subarray(auditStart).toString('utf8').split('\n').filter((l) => l.includes('"type":"request"'));
    const tagged = (action: string, path: RegExp) =>
      lines.some((l) => {
        const e = JSON.parse(l) as { auth?: { display_name?: string }; request?: { path?: string; headers?: Record<string, string[]> } };
        return path.test(e.request?.path ?? '') && (e.request?.headers?.['x-vault-console-action']?.[0] ?? '').startsWith(`action=${action};`);
      });
    expect(tagged('enrol-grant', /^totp\/keys\/vault-console-e-/)).toBe(true);
    expect(tagged('enrol-grant', /-enrolment\/data\/grants\//)).toBe(true);
    expect(tagged('enrol', /^sys\/wrapping\/unwrap$/)).toBe(true);
    expect(tagged('enrol', /-enrolment\/data\/active\//)).toBe(true);
  });

  it('a grant opens once: a second opening is refused', async () => {
    const a = await as(alice);
    const granter = (await a.enrolment.status()).grants[0]!.granterEntityId;
    await expect(a.enrolment.begin(granter)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already opened/) });
  });

  it('re-enrolment follows the same rule, and the old key stays active until the new one proves itself', async () => {
    const a = await as(alice);
    const c = await as(carol);
    const old = (await a.enrolment.status()).active!;
    const g2 = await c.enrolment.grant(alice.username, 30);
    const fromCarol = (await a.enrolment.status()).grants.find((x) => x.grantId === g2.grantId)!;
    expect(fromCarol.grantedBy).toBe(carol.username);
    const start = await a.enrolment.begin(fromCarol.granterEntityId);
    const newCodes = new CodeSource(secretOf(start.otpauthUrl));
    // Opened but not confirmed: the old factor is the active one, and it still works.
    const entity = (await a.enrolment.status()).entityId!;
    expect((await a.enrolment.status()).active!.grantId).toBe(old.grantId);
    const oldKey = await activeKeyName(a.session.requireClient(), s.openbao.kvMount, entity);
    const ok = await a.session.requireClient().request<{ data: { valid: boolean } }>('POST', `totp/code/${oldKey}`, { code: await aliceCodes.valid() });
    expect(ok.data.valid).toBe(true);

    const done = await a.enrolment.confirm(g2.grantId, await newCodes.valid());
    expect(done.active).toMatchObject({ grantId: g2.grantId, grantedBy: carol.username });
    expect(await activeKeyName(a.session.requireClient(), s.openbao.kvMount, entity)).not.toBe(oldKey);
  });

  it('the granting admin is named from Vault\'s identity store, whatever the grant record claims', async () => {
    const a = await as(alice);
    const b = await as(bob);
    const g = await b.enrolment.grant(alice.username, 15);
    const view = (await a.enrolment.status()).grants.find((x) => x.grantId === g.grantId)!;
    expect(view).toMatchObject({ grantedBy: bob.username, grantedByVerified: true, state: 'ready' });
  });

  it('bad inputs get clear errors and change nothing', async () => {
    const b = await as(bob);
    await expect(b.enrolment.grant('no such user!', 60)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(b.enrolment.grant('nobody-ever-signed-in', 60)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/sign in to the console once/) });
    await expect(b.enrolment.grant(alice.username, 5)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(b.enrolment.grant(alice.username, 73 * 60)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const a = await as(alice);
    await expect(a.enrolment.confirm('g000000000000', '12345')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(a.enrolment.confirm('g000000000000', '123456')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(a.enrolment.begin('not-an-entity')).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
