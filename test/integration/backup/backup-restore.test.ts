// Back up the real OpenBao to the real S3 server, list, and restore into a fresh
// OpenBao: the secrets are equal. Raft snapshot and logical paths.
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenBao } from '../../services/openbao/openbao';
import { createKvStore } from '../../../src/main/services/vault/kv';
import { stampsMountOf } from '../../../src/main/services/vault/tenant-stamps';
import { loadTestServices, s3Client, type ServicesState } from '../helpers/services';
import { asRestoreTarget, clientFor, configFor, newBucket, rig, unsealWithSourceKeys, writeTenant, type Rig } from './backup-helpers';

let s: ServicesState;
let r: Rig;
let stopFresh: (() => Promise<void>) | undefined;
const salt = randomBytes(6).toString('hex');
const tenantA = `bk-${salt}-a`;
const tenantB = `bk-${salt}-b`;

beforeAll(async () => {
  s = await loadTestServices();
  const bucket = await newBucket(s);
  r = await rig(s, configFor(s, bucket));
  const root = clientFor(s.openbao.addr, s.openbao.rootToken);
  await writeTenant(root, s.openbao.kvMount, tenantA, salt);
  await writeTenant(root, s.openbao.kvMount, tenantB, salt);
  root.close();
}, 60_000);

afterAll(async () => {
  r?.client.close();
  await stopFresh?.();
});

describe('raft snapshot backup', () => {
  it('streams an encrypted snapshot to S3, lists it, and restores it into a fresh OpenBao with equal secrets', async () => {
    const rec = await r.service.run();
    expect(rec.status, rec.error ?? '').toBe('completed');
    expect(rec.kind).toBe('raft');
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.sizeBytes).toBeGreaterThan(0);
    expect(r.progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['starting', 'streaming', 'verifying', 'completed']));

    // The object is ciphertext under our format, with SSE requested and metadata naming the backup.
    const s3 = s3Client(s);
    const head = await s3.send(new HeadObjectCommand({ Bucket: r.config.bucket, Key: rec.objectKey, VersionId: rec.versionId ?? undefined }));
    expect(head.Metadata?.['vc-backup-id']).toBe(rec.id);
    s3.destroy();

    const status = await r.service.status();
    expect(status).toMatchObject({ lastAttemptFailed: false, bucketVersioning: true });
    expect(status!.lastSuccessAt!.toISOString()).toBe(rec.finishedAt);
    const listed = await r.service.list();
    expect(listed.map((b) => b.id)).toContain(rec.id);

    const fresh = await startOpenBao();
    stopFresh = await asRestoreTarget(fresh);
    const target = clientFor(fresh.addr, fresh.rootToken);
    const res = await r.service.restore(rec.id, { scope: 'raft', client: target, force: true });
    expect(res.bytes).toBeGreaterThan(0);
    target.close();
    // The snapshot carries the source cluster's barrier: unseal with its keys, read with its token.
    await unsealWithSourceKeys(fresh.addr, s);
    const restored = createKvStore(clientFor(fresh.addr, s.openbao.rootToken), s.openbao.kvMount);
    const live = createKvStore(clientFor(s.openbao.addr, s.openbao.rootToken), s.openbao.kvMount);
    for (const tenant of [tenantA, tenantB]) {
      for (const p of ['profile', 'smtp/admin', 'api/k1']) {
        const a = await restored.read(`${tenant}/${p}`);
        expect(a, `${tenant}/${p}`).not.toBeNull();
        const b = await live.read(`${tenant}/${p}`, a!.version);
        expect(a!.data).toEqual(b!.data);
        expect(a!.customMetadata).toEqual((await live.readMetadata(`${tenant}/${p}`))!.customMetadata);
      }
    }
    // Everything else in the mount too: same version, same data.
    const tenants = await restored.list('');
    expect(tenants.length).toBeGreaterThanOrEqual(2);
    for (const t of tenants.filter((k) => k.endsWith('/')).slice(0, 50)) {
      for (const k of (await restored.list(t)).filter((x) => !x.endsWith('/'))) {
        const a = await restored.read(`${t}${k}`);
        const b = await live.read(`${t}${k}`, a!.version);
        expect(a!.data, `${t}${k}`).toEqual(b!.data);
      }
    }
  }, 180_000);
});

describe('logical backup', () => {
  it('backs up the mount as a logical backup and restores a single tenant as new versions, leaving other tenants alone', async () => {
    const rec = await r.service.run({ kind: 'logical' });
    expect(rec.status, rec.error ?? '').toBe('completed');
    expect(rec.itemCount).toBeGreaterThanOrEqual(6);
    const root = clientFor(s.openbao.addr, s.openbao.rootToken);
    const kv = createKvStore(root, s.openbao.kvMount);
    // Someone breaks both tenants after the backup.
    await kv.write(`${tenantA}/smtp/admin`, { value: 'broken' });
    await kv.write(`${tenantB}/smtp/admin`, { value: 'broken-too' });
    const before = (await kv.readMetadata(`${tenantA}/smtp/admin`))!.currentVersion;
    const stamps = createKvStore(root, stampsMountOf(s.openbao.kvMount));
    const stampB = await stamps.readMetadata(tenantB);

    const res = await r.service.restore(rec.id, { scope: 'tenant', tenantId: tenantA });
    expect(res.written).toBe(3);
    // The restored tenant is stamped (every console's next incremental sync rescans it); B is not.
    expect((await stamps.readMetadata(tenantA))!.customMetadata.changed_at).toMatch(/^\d{4}-/);
    expect(await stamps.readMetadata(tenantB)).toEqual(stampB);
    const a = await kv.read(`${tenantA}/smtp/admin`);
    expect(a!.data).toEqual({ value: `${tenantA}/smtp/admin:${salt}`, n: 1 });
    // Written as a new version: the broken one is still in history.
    expect(a!.version).toBe(before + 1);
    expect((await kv.read(`${tenantA}/smtp/admin`, before))!.data).toEqual({ value: 'broken' });
    expect((await kv.read(`${tenantB}/smtp/admin`))!.data).toEqual({ value: 'broken-too' });
    root.close();
  }, 120_000);

  it('restores a whole mount from a logical backup into another OpenBao with equal secrets', async () => {
    const rec = await r.service.run({ kind: 'logical' });
    expect(rec.status, rec.error ?? '').toBe('completed');
    const other = await startOpenBao();
    try {
      const target = clientFor(other.addr, other.rootToken);
      const res = await r.service.restore(rec.id, { scope: 'mount', client: target });
      expect(res.written).toBe(rec.itemCount);
      const restored = createKvStore(target, s.openbao.kvMount);
      const live = createKvStore(clientFor(s.openbao.addr, s.openbao.rootToken), s.openbao.kvMount);
      for (const p of ['profile', 'smtp/admin', 'api/k1']) {
        const a = await restored.read(`${tenantB}/${p}`);
        const b = await live.read(`${tenantB}/${p}`);
        expect(a!.data).toEqual(b!.data);
        expect((await restored.readMetadata(`${tenantB}/${p}`))!.customMetadata).toMatchObject({ salt });
      }
      target.close();
    } finally {
      await other.stop({ removeData: true });
    }
  }, 180_000);
});
