// Proves the test services are the real thing, configured as the console expects.
import { stat } from 'node:fs/promises';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealOpenBao, unsealOpenBao } from '../services/openbao/openbao';
import { baoFetch, loadTestServices, s3Client, userpassLogin, vaultClient, type ServicesState } from './helpers/services';

let s: ServicesState;
beforeAll(async () => {
  s = await loadTestServices();
});

describe('OpenBao', () => {
  it('is OpenBao 2.4.0, initialised, unsealed, on raft, with 5 shares and threshold 3', async () => {
    const health = await baoFetch<{ version: string; initialized: boolean; sealed: boolean }>(s, 'GET', 'sys/health', { token: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ version: '2.4.0', initialized: true, sealed: false });
    const seal = await baoFetch<{ n: number; t: number; storage_type: string; type: string }>(s, 'GET', 'sys/seal-status', { token: null });
    expect(seal.body).toMatchObject({ n: 5, t: 3, storage_type: 'raft', type: 'shamir' });
    expect(s.openbao.unsealKeys).toHaveLength(5);
    const raft = await baoFetch<{ data: { config: { servers: Array<{ leader: boolean }> } } }>(s, 'GET', 'sys/storage/raft/configuration');
    expect(raft.body.data.config.servers.some((x) => x.leader)).toBe(true);
  });

  it('has the KV v2, TOTP and transit mounts, userpass, and the backup transit key', async () => {
    const mounts = await vaultClient(s).mounts();
    expect(mounts[`${s.openbao.kvMount}/`]).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(mounts['totp/']).toMatchObject({ type: 'totp' });
    expect(mounts['transit/']).toMatchObject({ type: 'transit' });
    const auths = await vaultClient(s).auths();
    expect(auths['userpass/']).toMatchObject({ type: 'userpass' });
    const key = await baoFetch(s, 'GET', 'transit/keys/vault-console-backup');
    expect(key.status).toBe(200);
  });

  it('has the file audit device, and the audit log grows after a request', async () => {
    const audits = await baoFetch<{ data: Record<string, { type: string; options: { file_path: string } }> }>(s, 'GET', 'sys/audit');
    expect(audits.body.data['file/']).toMatchObject({ type: 'file', options: { file_path: s.openbao.auditLogPath } });
    const before = (await stat(s.openbao.auditLogPath)).size;
    await baoFetch(s, 'GET', 'auth/token/lookup-self');
    await expect.poll(async () => (await stat(s.openbao.auditLogPath)).size, { timeout: 5_000 }).toBeGreaterThan(before);
  });

  it('serves Prometheus metrics to an admin token, not to an anonymous caller', async () => {
    const admin = await userpassLogin(s, s.openbao.users.admin.username, s.openbao.users.admin.password);
    const ok = await baoFetch<string>(s, 'GET', 'sys/metrics?format=prometheus', { token: admin });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('# TYPE');
    const anon = await baoFetch(s, 'GET', 'sys/metrics?format=prometheus', { token: null });
    expect(anon.status).not.toBe(200);
  });

  it('logs in admin and auditor with userpass, with their policies', async () => {
    for (const role of ['admin', 'auditor'] as const) {
      const u = s.openbao.users[role];
      const token = await userpassLogin(s, u.username, u.password);
      const self = await baoFetch<{ data: { policies: string[] } }>(s, 'GET', 'auth/token/lookup-self', { token });
      expect(self.body.data.policies).toContain(`vault-console-${role}`);
    }
    const wrong = await baoFetch(s, 'POST', 'auth/userpass/login/admin', { token: null, body: { password: 'wrong' } });
    expect(wrong.status).toBe(400);
  });

  it('lets the auditor read a tenant secret’s metadata but not its data', async () => {
    const m = s.openbao.kvMount;
    const path = 't-0042/smtp/admin';
    const admin = await userpassLogin(s, s.openbao.users.admin.username, s.openbao.users.admin.password);
    const put = await baoFetch(s, 'POST', `${m}/data/${path}`, { token: admin, body: { data: { password: 'pw-not-for-auditors' } } });
    expect(put.status).toBe(200);
    await baoFetch(s, 'POST', `${m}/metadata/${path}`, { token: admin, body: { custom_metadata: { status: 'ok' } } });

    const auditor = await userpassLogin(s, s.openbao.users.auditor.username, s.openbao.users.auditor.password);
    const data = await baoFetch(s, 'GET', `${m}/data/${path}`, { token: auditor });
    expect(data.status).toBe(403);
    const meta = await baoFetch<{ data: { custom_metadata: Record<string, string> } }>(s, 'GET', `${m}/metadata/${path}`, { token: auditor });
    expect(meta.status).toBe(200);
    expect(meta.body.data.custom_metadata).toEqual({ status: 'ok' });
    const list = await baoFetch<{ data: { keys: string[] } }>(s, 'LIST', `${m}/metadata/`, { token: auditor });
    expect(list.body.data.keys).toContain('t-0042/');
  });

  it('lets a tenant identity read only its own tenant’s data (templated policy)', async () => {
    const t = s.openbao.users.tenant;
    expect(t).toBeDefined();
    if (!t) return;
    const m = s.openbao.kvMount;
    await baoFetch(s, 'POST', `${m}/data/${t.tenantId}/profile`, { body: { data: { name: 'own' } } });
    await baoFetch(s, 'POST', `${m}/data/t-9999/profile`, { body: { data: { name: 'other' } } });
    const token = await userpassLogin(s, t.username, t.password);
    const own = await baoFetch<{ data: { data: { name: string } } }>(s, 'GET', `${m}/data/${t.tenantId}/profile`, { token });
    expect(own.status).toBe(200);
    expect(own.body.data.data.name).toBe('own');
    const other = await baoFetch(s, 'GET', `${m}/data/t-9999/profile`, { token });
    expect(other.status).toBe(403);
  });

  describe('seal and unseal', () => {
    // Whatever happens in the test, leave the shared server unsealed for the next files.
    afterAll(async () => {
      const h = await baoFetch<{ sealed: boolean }>(s, 'GET', 'sys/health', { token: null });
      if (h.body.sealed) await unsealOpenBao(s.openbao);
    });

    it('seals, refuses requests while sealed, and unseals with 3 of the 5 keys', async () => {
      await sealOpenBao(s.openbao);
      const sealed = await baoFetch(s, 'GET', 'sys/health', { token: null });
      expect(sealed.status).toBe(503);
      const read = await baoFetch(s, 'GET', 'sys/mounts');
      expect(read.status).toBe(503);

      // Two keys are not enough...
      const keys = s.openbao.unsealKeys;
      for (const key of [keys[4], keys[2]]) await baoFetch(s, 'PUT', 'sys/unseal', { token: null, body: { key } });
      const partial = await baoFetch<{ sealed: boolean; progress: number }>(s, 'GET', 'sys/seal-status', { token: null });
      expect(partial.body).toMatchObject({ sealed: true, progress: 2 });
      // ...a third, different share unseals.
      const last = await baoFetch<{ sealed: boolean }>(s, 'PUT', 'sys/unseal', { token: null, body: { key: keys[0] } });
      expect(last.body.sealed).toBe(false);
      await expect
        .poll(async () => (await baoFetch(s, 'GET', 'sys/health', { token: null })).status, { timeout: 30_000, interval: 200 })
        .toBe(200);
    });
  });
});

describe('S3', () => {
  it('creates a bucket, keeps two versions of one key, and returns the latest', async () => {
    expect(s.s3).toBeDefined();
    const c = s3Client(s);
    const Bucket = `vc-test-${Date.now()}`;
    await c.send(new CreateBucketCommand({ Bucket }));
    if (s.s3?.versioning) {
      await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    await c.send(new PutObjectCommand({ Bucket, Key: 'backups/latest.json', Body: '{"n":1}' }));
    await c.send(new PutObjectCommand({ Bucket, Key: 'backups/latest.json', Body: '{"n":2}' }));
    if (s.s3?.versioning) {
      const v = await c.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'backups/' }));
      expect(v.Versions).toHaveLength(2);
      expect(v.Versions?.filter((x) => x.IsLatest)).toHaveLength(1);
    }
    const got = await c.send(new GetObjectCommand({ Bucket, Key: 'backups/latest.json' }));
    expect(await got.Body?.transformToString()).toBe('{"n":2}');
    c.destroy();
  });
});
