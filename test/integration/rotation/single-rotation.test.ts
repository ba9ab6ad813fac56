// Rotate Now and Emergency Reset of one secret against the real OpenBao, each generator
// checked by an independent tool (ssh-keygen, Debian's python3-dkim), CAS conflicts,
// grace periods and their retirement, and the bad inputs we promise to refuse.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecorder } from '../../../src/main/services/audit/audit-recorder';
import { recorderRotationAudit } from '../../../src/main/services/rotation/rotation-audit';
import { Rotator } from '../../../src/main/services/rotation/rotator';
import { RotationVaultIo } from '../../../src/main/services/rotation/vault-io';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { ManualClock, systemClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { DEFAULT_SCHEDULES, parseTarget } from '../../../src/shared/rotation/rules';
import { isSmtpSafePassword } from '../../../src/main/services/keys';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { adminClient, dkimpySignAndVerify, freshMount, keyFile, newService, rootClient, run, seed, tempDir } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
let mount: string;
let kv: KvStore;
const T = 't-000001';
const dir = tempDir('rot-keys-');

async function data(path: string): Promise<Record<string, unknown>> {
  const r = await kv.read(path);
  if (!r) throw new Error(`no data at ${path}`);
  return r.data;
}
async function meta(path: string) {
  const m = await kv.readMetadata(path);
  if (!m) throw new Error(`no metadata at ${path}`);
  return m;
}
const HOUR = 3_600_000;

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
  mount = await freshMount(root, 'rot-one');
  kv = createKvStore(root, mount);
  await seed(root, mount, 3, 'rot-one');
});
afterAll(() => root?.close());

describe('Rotate Now, one secret per type, checked by independent tools', () => {
  it('SSH: a new ed25519 key that ssh-keygen reads back with the same public key and fingerprint; the old key stays valid for 24 h', async () => {
    const { service } = newService(root, mount);
    const path = `${T}/ssh/admin`;
    const before = await data(path);
    const v0 = (await meta(path)).currentVersion;
    const t0 = Date.now();
    const r = await service.rotateOne(T, 'ssh-admin', 'quarterly review');
    expect(r.previousVersion).toBe(v0);
    expect(r.version).toBe(v0 + 1);
    const after = await data(path);
    const priv = keyFile(dir, 'ssh-admin', String(after.private_key));
    const derived = (await run('ssh-keygen', ['-y', '-f', priv])).stdout.trim();
    expect(derived.split(' ').slice(0, 2).join(' ')).toBe(String(after.public_key).split(' ').slice(0, 2).join(' '));
    const fp = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', priv])).stdout.trim().split(/\s+/)[1];
    expect(fp).toBe(r.fingerprint);
    expect(after.fingerprint).toBe(fp);
    const m = await meta(path);
    expect(m.customMetadata.fingerprint).toBe(fp);
    // Grace: the old public key is listed next to the new one until grace_until.
    expect(after.valid_public_keys).toEqual([after.public_key, before.public_key]);
    expect(after.previous_fingerprint).toBe(before.fingerprint);
    expect(m.customMetadata.previous_fingerprint).toBe(before.fingerprint);
    const grace = Date.parse(m.customMetadata.grace_until!);
    expect(grace - t0).toBeGreaterThanOrEqual(24 * HOUR - 1000);
    expect(grace - t0).toBeLessThanOrEqual(24 * HOUR + 60_000);
    expect(r.graceUntil).toBe(m.customMetadata.grace_until);
    // Who / when / why, with the new version and in the current metadata.
    expect(after).toMatchObject({ rotated_by: 'admin', rotation_reason: 'quarterly review' });
    expect(m.customMetadata).toMatchObject({ rotated_by: 'admin', rotation_reason: 'quarterly review', source: 'console', status: 'active', rotation_days: '90' });
    expect(Date.parse(m.customMetadata.next_rotation!) - Date.parse(m.customMetadata.last_rotated!)).toBe(90 * 86_400_000);
  });

  it('SMTP: a strong password of at least 32 safe characters; the username stays; no grace', async () => {
    const { service } = newService(root, mount);
    const path = `${T}/smtp/admin`;
    const before = await data(path);
    await service.rotateOne(T, 'smtp', 'password shared in a ticket');
    const after = await data(path);
    expect(after.username).toBe(before.username);
    expect(after.password).not.toBe(before.password);
    expect(isSmtpSafePassword(String(after.password))).toBe(true);
    expect(String(after.password).length).toBeGreaterThanOrEqual(32);
    expect((await meta(path)).customMetadata.grace_until).toBeUndefined();
    expect((await meta(path)).customMetadata.rotation_days).toBe('180');
  });

  it('DKIM: a new RSA-2048 key and selector; python3-dkim signs with the key and verifies against the TXT; the old selector stays published 48 h', async () => {
    const { service } = newService(root, mount);
    const domain = (await kv.list(`${T}/dkim`))[0]!;
    const path = `${T}/dkim/${domain}`;
    const before = await data(path);
    const r = await service.rotateOne(T, `dkim:${domain}`, 'yearly DKIM rotation');
    const after = await data(path);
    expect(after.selector).not.toBe(before.selector);
    expect(r.selector).toBe(after.selector);
    expect(after.txt).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    expect(after.dns_name).toBe(`${String(after.selector)}._domainkey.${domain}`);
    expect(await dkimpySignAndVerify(String(after.private_key), String(after.selector), domain, String(after.txt))).toBe('verified');
    // A signature by the new key does not verify against the old record.
    expect(await dkimpySignAndVerify(String(after.private_key), String(after.selector), domain, String(before.txt))).not.toBe('verified');
    expect(after.previous_selector).toBe(before.selector);
    expect(after.previous_private_key).toBe(before.private_key);
    const m = await meta(path);
    expect(m.customMetadata.selector).toBe(after.selector);
    expect(m.customMetadata.previous_selector).toBe(before.selector);
    expect(Date.parse(m.customMetadata.grace_until!) - Date.parse(m.customMetadata.last_rotated!)).toBe(48 * HOUR);
    expect(r.dnsRecords.map((d) => d.name)).toEqual([`${String(after.selector)}._domainkey.${domain}`, `${String(before.selector)}._domainkey.${domain}`]);
    // Rotating again within the month still gives a new selector.
    const r2 = await service.rotateOne(T, `dkim:${domain}`, 'second rotation');
    expect(r2.selector).not.toBe(r.selector);
  });

  it('API key: random with a visible prefix; only the SHA-256 hash is stored', async () => {
    const { service } = newService(root, mount);
    const keyId = (await kv.list(`${T}/api`))[0]!;
    const path = `${T}/api/${keyId}`;
    if ((await meta(path)).customMetadata.status === 'revoked') await kv.writeMetadata(path, { customMetadata: { ...(await meta(path)).customMetadata, status: 'active' } });
    const r = await service.rotateOne(T, `api:${keyId}`, 'key leaked in a log');
    const key = r.apiKeyOnce!;
    expect(key).toMatch(/^pm_(live|test)_[A-Za-z0-9]{40}$/);
    const after = await data(path);
    expect(after.hash).toBe(`sha256:${createHash('sha256').update(key).digest('hex')}`);
    expect(after.prefix).toBe(key.slice(0, 12));
    expect(r.prefix).toBe(after.prefix);
    expect(JSON.stringify(after)).not.toContain(key);
    expect(JSON.stringify((await meta(path)).customMetadata)).not.toContain(key);
  });

  it('a secret without metadata is rotated and gets complete rotation metadata', async () => {
    const { service } = newService(root, mount);
    const path = `${T}/api/ak_00000000deadbeef`;
    await kv.write(path, { key_id: 'ak_00000000deadbeef', hash: 'sha256:00', prefix: 'pm_live_AAAA' }, { cas: 0 });
    const r = await service.rotateOne(T, 'api:ak_00000000deadbeef', 'no metadata');
    expect(r.version).toBe(2);
    expect((await meta(path)).customMetadata).toMatchObject({ type: 'api', status: 'active', schema: '1', rotation_days: '365' });
  });

  it('records rotate events through the AuditRecorder (fail closed)', async () => {
    const dirA = tempDir('rot-audit-');
    const { db } = newService(root, mount, {}, dirA);
    const recorder = new AuditRecorder(new AuditRepo(db), systemClock, () => ({ user: 'admin' }));
    const { service } = newService(root, mount, { audit: recorderRotationAudit(recorder) });
    await service.rotateOne(T, 'smtp', 'audited rotation');
    const rows = db.prepare("SELECT action, path, status, user FROM audit_events WHERE source = 'console'").all();
    expect(rows).toContainEqual({ action: 'rotate', path: `${T}/smtp/admin`, status: 'ok', user: 'admin' });
  });
});

describe('Emergency Reset', () => {
  it('SSH: both keys replaced, no grace, the old keys invalid at once; the incident is recorded', async () => {
    const { service } = newService(root, mount);
    const rs = await service.emergencyReset(T, 'ssh', 'INC-2041');
    expect(rs.map((r) => r.path)).toEqual([`${T}/ssh/admin`, `${T}/ssh/tenant`]);
    for (const r of rs) {
      const d = await data(r.path);
      expect(d.valid_public_keys).toEqual([d.public_key]);
      expect(d.previous_public_key).toBeUndefined();
      expect(d).toMatchObject({ rotation_incident: 'INC-2041', emergency_reset: true });
      const m = (await meta(r.path)).customMetadata;
      expect(m.grace_until).toBeUndefined();
      expect(m.previous_fingerprint).toBeUndefined();
      expect(m.rotation_incident).toBe('INC-2041');
      expect(r.graceUntil).toBeNull();
    }
  });

  it('SMTP: new password, incident recorded, reason defaults to the incident', async () => {
    const { service } = newService(root, mount);
    const [r] = await service.emergencyReset('t-000002', 'smtp', 'SIRT-2026-004', 'password in a phishing kit');
    const m = (await meta(r!.path)).customMetadata;
    expect(m).toMatchObject({ rotation_incident: 'SIRT-2026-004', rotation_reason: 'password in a phishing kit' });
    expect(m.emergency_reset_at).toBe(r!.rotatedAt);
  });

  it('SSH, one key refused by the policy: the other is still reset, and the error says exactly which was and which was not', async () => {
    const m2 = await freshMount(root, 'rot-er-part');
    const kv2 = createKvStore(root, m2);
    await seed(root, m2, 1, 'rot-er-part');
    // A token that may write the admin key but not the tenant key.
    const policy = `path "${m2}/data/*" { capabilities = ["read"] }
path "${m2}/data/t-000001/ssh/admin" { capabilities = ["read", "create", "update"] }
path "${m2}/metadata/*" { capabilities = ["read", "list", "patch", "update"] }`;
    await root.request('PUT', `sys/policies/acl/${m2}-half`, { policy });
    const tok = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies: [`${m2}-half`], ttl: '10m' } });
    const limited = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), tok.body.auth.client_token);
    const before = { admin: (await kv2.read('t-000001/ssh/admin'))!, tenant: (await kv2.read('t-000001/ssh/tenant'))! };
    const { service } = newService(limited, m2);
    const err = await service.emergencyReset('t-000001', 'ssh', 'INC-3141').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((err as Error).message).toBe(
      `Emergency reset INC-3141 incomplete: t-000001/ssh/admin was reset (v${before.admin.version}→v${before.admin.version + 1}); t-000001/ssh/tenant was NOT reset: Permission denied (POST ${m2}/data/t-000001/ssh/tenant).`,
    );
    const admin = (await kv2.read('t-000001/ssh/admin'))!;
    expect(admin.version).toBe(before.admin.version + 1);
    expect(admin.data).toMatchObject({ emergency_reset: true, rotation_incident: 'INC-3141' });
    expect((await kv2.read('t-000001/ssh/tenant'))!.version).toBe(before.tenant.version);
    limited.close();
  });
});

describe('bad input is refused and changes nothing', () => {
  it('an empty reason is refused', async () => {
    const { service } = newService(root, mount);
    const v = (await meta(`${T}/smtp/admin`)).currentVersion;
    await expect(service.rotateOne(T, 'smtp', '   ')).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'A reason is required.' });
    expect((await meta(`${T}/smtp/admin`)).currentVersion).toBe(v);
  });

  it.each(['', 'inc-1', 'INC 2041', 'INC-', '2041', 'INC-2041; drop'])('a malformed incident ID %j is refused', async (id) => {
    const { service } = newService(root, mount);
    const v = (await meta(`${T}/smtp/admin`)).currentVersion;
    await expect(service.emergencyReset(T, 'smtp', id)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect((await meta(`${T}/smtp/admin`)).currentVersion).toBe(v);
  });

  it('an unknown target or a hostile domain is refused', async () => {
    const { service } = newService(root, mount);
    await expect(service.rotateOne(T, 'ssh-root', 'x')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(service.rotateOne(T, 'dkim:../../sys', 'x')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(service.rotateOne('../t', 'smtp', 'x')).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('a deleted tenant gives NOT_FOUND', async () => {
    const { service } = newService(root, mount);
    await expect(service.rotateOne('t-999999', 'smtp', 'gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('check-and-set: a concurrent change is reported, never overwritten', () => {
  it('the version the user looked at is stale: CONFLICT, nothing written', async () => {
    const { service } = newService(root, mount);
    const path = `${T}/smtp/admin`;
    const v = (await meta(path)).currentVersion;
    await expect(service.rotateOne(T, 'smtp', 'stale view', v - 1)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await meta(path)).currentVersion).toBe(v);
  });

  it('another admin writes between our read and our write: CONFLICT, their version stays', async () => {
    const io = new RotationVaultIo(root, mount);
    const rot = new Rotator(io, { now: () => Date.now(), schedules: async () => DEFAULT_SCHEDULES });
    const path = `${T}/smtp/admin`;
    const stale = (await io.current(path))!;
    const theirs = await kv.write(path, { ...stale.data, password: 'written-by-the-other-admin-0123456789' }, { cas: stale.version });
    await expect(rot.rotate({ target: parseTarget(T, 'smtp'), reason: 'race', actor: 'admin', current: stale })).rejects.toMatchObject({ code: 'CONFLICT' });
    const now = (await kv.read(path))!;
    expect(now.version).toBe(theirs.version);
    expect(now.data.password).toBe('written-by-the-other-admin-0123456789');
  });
});

describe('grace periods', () => {
  it('are configurable, and after the grace end the previous SSH key and DKIM selector are marked retired', async () => {
    const clock = new ManualClock(Date.now());
    const { service } = newService(root, mount, { clock });
    const cur = await service.schedules();
    await service.setSchedules({ ...cur.schedules, graceHours: { ssh: 2, dkim: 6 } }, cur.version);
    const r = await service.rotateOne('t-000003', 'ssh-tenant', 'grace test');
    expect(Date.parse(r.graceUntil!) - clock.now()).toBe(2 * HOUR);
    const domain = (await kv.list('t-000003/dkim'))[0]!;
    const d = await service.rotateOne('t-000003', `dkim:${domain}`, 'grace test');
    expect(Date.parse(d.graceUntil!) - clock.now()).toBe(6 * HOUR);
    // Not yet: nothing to retire.
    expect(await service.retireGrace('t-000003', 'ssh-tenant')).toBe(false);
    clock.advance(6 * HOUR + 1000);
    expect(await service.retireGrace('t-000003', 'ssh-tenant')).toBe(true);
    expect(await service.retireGrace('t-000003', `dkim:${domain}`)).toBe(true);
    const ssh = await data('t-000003/ssh/tenant');
    expect(ssh.valid_public_keys).toEqual([ssh.public_key]);
    expect((await meta('t-000003/ssh/tenant')).customMetadata).toMatchObject({ previous_status: 'retired' });
    const dk = await data(`t-000003/dkim/${domain}`);
    expect(dk.previous_private_key).toBeUndefined();
    expect(dk.previous_selector).toBe(d.previousSelector);
    expect((await meta(`t-000003/dkim/${domain}`)).customMetadata.grace_until).toBeUndefined();
  });
});

describe('as the admin user (test policy), on the shared tenants mount', () => {
  it('Rotate Now works with the vault-console-admin policy', async () => {
    const admin = await adminClient(s);
    const tenantsKv = createKvStore(root, s.openbao.kvMount);
    const id = 't-880001';
    await seed(root, s.openbao.kvMount, 1, 'rot-admin', 880001);
    const { service } = newService(admin, s.openbao.kvMount);
    const r = await service.rotateOne(id, 'smtp', 'policy check');
    expect((await tenantsKv.readMetadata(`${id}/smtp/admin`))!.currentVersion).toBe(r.version);
    admin.close();
  });
});

describe('schedules stored in Vault', () => {
  it('start at the defaults, save with CAS, refuse bad values, and move the due dates of existing secrets', async () => {
    const m2 = await freshMount(root, 'rot-sched');
    const kv2 = createKvStore(root, m2);
    await seed(root, m2, 3, 'rot-sched');
    const { service } = newService(root, m2);
    const { service: otherConsole } = newService(root, m2, { actor: () => 'other-admin' });
    const s0 = await service.schedules();
    expect(s0).toMatchObject({ version: 0, schedules: DEFAULT_SCHEDULES });
    await expect(service.setSchedules({ ...s0.schedules, days: { ...s0.schedules.days, ssh: 20 } }, 0)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/SSH rotation period/) });
    const saved = await service.setSchedules({ ...s0.schedules, days: { ...s0.schedules.days, ssh: 60 } }, 0);
    expect(saved.version).toBe(1);
    // Another admin sees the same schedules, and a save from a stale view is refused.
    expect((await otherConsole.schedules()).schedules.days.ssh).toBe(60);
    await expect(otherConsole.setSchedules(DEFAULT_SCHEDULES, 0)).rejects.toMatchObject({ code: 'CONFLICT' });
    // Next-rotation dates follow the change.
    expect(saved.rescheduleJobId).not.toBeNull();
    const job = await service.wait(saved.rescheduleJobId!);
    expect(job).toMatchObject({ status: 'completed', done: 6, failed: 0 });
    for (const p of ['t-000001/ssh/admin', 't-000002/ssh/tenant']) {
      const md = (await kv2.readMetadata(p))!.customMetadata;
      expect(md.rotation_days).toBe('60');
      expect(Date.parse(md.next_rotation!) - Date.parse(md.last_rotated!)).toBe(60 * 86_400_000);
    }
    expect((await kv2.readMetadata('t-000001/smtp/admin'))!.customMetadata.rotation_days).toBe('180');
    // New rotations use the new period, and the schedules entry is no tenant.
    const r = await service.rotateOne('t-000003', 'ssh-admin', 'after schedule change');
    expect(Date.parse(r.nextRotation) - Date.parse(r.rotatedAt)).toBe(60 * 86_400_000);
    expect((await service.preview({ mode: 'all', type: 'smtp' })).tenants).toBe(3);
  });
});
