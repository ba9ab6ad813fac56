// Retention deletes only what is older than the policy; the restore drill restores
// the latest backup into a scratch OpenBao, checks sample secrets and records it.
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { startOpenBao } from '../../services/openbao/openbao';
import { ManualClock } from '../../../src/main/services/time/clock';
import { loadTestServices, s3Client, type ServicesState } from '../helpers/services';
import { asRestoreTarget, clientFor, configFor, newBucket, rig, writeTenant } from './backup-helpers';

let s: ServicesState;

beforeAll(async () => {
  s = await loadTestServices();
}, 30_000);

async function exists(bucket: string, key: string, versionId: string | null): Promise<boolean> {
  const c = s3Client(s);
  try {
    await c.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    return true;
  } catch {
    return false;
  } finally {
    c.destroy();
  }
}

describe('retention', () => {
  it('deletes only backups older than the policy, object version and manifest included', async () => {
    const bucket = await newBucket(s);
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const r = await rig(s, configFor(s, bucket, { retentionDays: 30 }), clock);
    const old = await r.service.run({ kind: 'logical' });
    clock.advance(10 * 86_400_000);
    const middle = await r.service.run({ kind: 'logical' });
    clock.advance(25 * 86_400_000);
    const recent = await r.service.run({ kind: 'logical' });
    for (const b of [old, middle, recent]) expect(b.status, b.error ?? '').toBe('completed');
    // Now day 35: only the day-0 backup is past 30 days.
    const res = await r.service.applyRetention();
    expect(res.deleted).toEqual([old.id]);
    expect(await exists(bucket, old.objectKey, old.versionId)).toBe(false);
    expect(await exists(bucket, middle.objectKey, middle.versionId)).toBe(true);
    expect(await exists(bucket, recent.objectKey, recent.versionId)).toBe(true);
    expect((await r.service.list()).map((b) => b.id)).toEqual([recent.id, middle.id]);
    r.client.close();
  }, 60_000);
});

describe('restore drill', () => {
  it('restores the latest raft backup into a scratch OpenBao, checks sample secrets and records last verified restorable', async () => {
    const bucket = await newBucket(s);
    const r = await rig(s, configFor(s, bucket));
    const root = clientFor(s.openbao.addr, s.openbao.rootToken);
    await writeTenant(root, s.openbao.kvMount, `drill-${randomBytes(4).toString('hex')}`, 'drill');
    const rec = await r.service.run();
    expect(rec.status, rec.error ?? '').toBe('completed');
    const scratch = await startOpenBao();
    const stop = await asRestoreTarget(scratch);
    try {
      const scratchClient = clientFor(scratch.addr, scratch.rootToken);
      const res = await r.service.drill({ scratch: scratchClient, unsealKeys: s.openbao.unsealKeys, readToken: s.openbao.rootToken, samples: 3 });
      expect(res.id).toBe(rec.id);
      expect(res.checked.length).toBeGreaterThan(0);
      expect(r.repo.get(rec.id)!.verifiedAt).toBe(res.verifiedAt);
      expect((await r.service.status())!.lastVerifiedAt?.toISOString()).toBe(res.verifiedAt);
      scratchClient.close();
    } finally {
      await stop();
      root.close();
      r.client.close();
    }
  }, 180_000);
});
