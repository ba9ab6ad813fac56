// What a backup does when things go wrong: S3 down, a flipped bit in the stored
// object, a transit key that did not wrap the data key. Each refuses clearly and
// loses nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../services/openbao/process';
import { BackupService } from '../../../src/main/services/backup/backup-service';
import { CatalogBackupStatusSource } from '../../../src/main/services/backup/backup-status-source';
import { openDatabase } from '../../../src/main/services/storage/database';
import { BackupRepo } from '../../../src/main/services/storage/backup-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore } from '../../../src/main/services/vault/kv';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { clientFor, configFor, newBucket, rig } from './backup-helpers';

let s: ServicesState;
let bucket: string;

beforeAll(async () => {
  s = await loadTestServices();
  bucket = await newBucket(s);
}, 30_000);

describe('backup bad inputs', () => {
  it('marks the backup failed with the reason and lists no restore point when S3 is unreachable', async () => {
    const closedPort = await freeLoopbackPort();
    const r = await rig(s, configFor(s, bucket, { endpoint: `http://127.0.0.1:${closedPort}` }));
    const rec = await r.service.run();
    expect(rec.status).toBe('failed');
    expect(rec.error).toMatch(/S3 is unreachable/);
    const listed = await r.service.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]!.status).toBe('failed');
    expect(listed.filter((b) => b.status === 'completed')).toHaveLength(0);
    await expect(r.service.restore(rec.id, { scope: 'raft' })).rejects.toThrow(/not a restore point/);
    const status = await r.service.status();
    expect(status?.lastAttemptFailed).toBe(true);
    expect(status?.lastSuccessAt).toBeNull();
    // The health dashboard reads the same through its BackupStatusSource: Critical.
    const card = await new CatalogBackupStatusSource(r.service, systemClock).read();
    expect(card).toMatchObject({ lastAttemptFailed: true, lastSuccessAt: null });
    expect(r.progress.at(-1)?.phase).toBe('failed');
    r.client.close();
  }, 60_000);

  it('refuses a restore with a checksum error when one bit of the stored object flipped, and writes nothing', async () => {
    const r = await rig(s, configFor(s, bucket));
    const rec = await r.service.run({ kind: 'logical' });
    expect(rec.status, rec.error ?? '').toBe('completed');
    // Bit rot on the S3 server's disk, under the pinned version.
    const file = join(s.s3!.dataDir, 'buckets', bucket, rec.objectKey);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    await expect(r.service.restore(rec.id, { scope: 'mount' })).rejects.toMatchObject({ code: 'INTEGRITY_FAILED', message: expect.stringMatching(/checksum mismatch/) });
    expect(r.progress.at(-1)).toMatchObject({ operation: 'restore', phase: 'failed' });
    r.client.close();
  }, 60_000);

  it('refuses to restore when the configured transit key is not the one that wrapped the data key', async () => {
    // Root may use any transit key, so the refusal below is the key's, not the policy's.
    await baoFetch(s, 'POST', 'transit/keys/not-the-backup-key', { body: {} });
    const good = configFor(s, bucket);
    const repo = new BackupRepo(openDatabase(':memory:'));
    const root = clientFor(s.openbao.addr, s.openbao.rootToken);
    let cfg = good;
    const service = new BackupService({ repo, clock: systemClock, config: async () => cfg, client: () => root, actor: () => 'root' });
    const rec = await service.run({ kind: 'logical' });
    expect(rec.status, rec.error ?? '').toBe('completed');
    const kv = createKvStore(root, s.openbao.kvMount);
    await kv.write('bk-wrong-key/profile', { value: 'after-backup' });
    cfg = { ...good, transitKey: 'not-the-backup-key' };
    await expect(service.restore(rec.id, { scope: 'mount' })).rejects.toThrow(/cannot be unwrapped with transit key transit\/not-the-backup-key/);
    expect((await kv.read('bk-wrong-key/profile'))!.data).toEqual({ value: 'after-backup' });
    root.close();
  }, 60_000);

  it('records a failed attempt with the reason when Vault is unreachable', async () => {
    const port = await freeLoopbackPort();
    const dead = clientFor(`http://127.0.0.1:${port}`, 'not-a-real-token');
    const repo = new BackupRepo(openDatabase(':memory:'));
    const service = new BackupService({ repo, clock: systemClock, config: async () => configFor(s, bucket), client: () => dead, actor: () => 'admin' });
    const rec = await service.run();
    expect(rec.status).toBe('failed');
    expect(rec.error).toMatch(/Vault is unreachable/);
    expect(repo.lastAttempt()!.id).toBe(rec.id);
    dead.close();
  });

  it('fails the backup with the reason when the transit key does not exist', async () => {
    const r = await rig(s, configFor(s, bucket, { transitKey: 'no-such-key' }));
    const rec = await r.service.run();
    expect(rec.status).toBe('failed');
    expect(rec.error).toMatch(/no-such-key/);
    r.client.close();
  });
});
