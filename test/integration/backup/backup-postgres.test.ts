// The logical path on a Vault whose storage is PostgreSQL (no raft snapshot there):
// Force Backup picks a logical backup by itself, and it restores into a fresh server.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenBao } from '../../services/openbao/openbao';
import { BackupService } from '../../../src/main/services/backup/backup-service';
import { openDatabase } from '../../../src/main/services/storage/database';
import { BackupRepo } from '../../../src/main/services/storage/backup-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore } from '../../../src/main/services/vault/kv';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { clientFor, configFor, newBucket, writeTenant } from './backup-helpers';
import { startPgOpenBao, type PgOpenBao } from './pg-openbao';

let s: ServicesState;
let pgBao: PgOpenBao;

beforeAll(async () => {
  s = await loadTestServices();
  pgBao = await startPgOpenBao();
}, 120_000);

afterAll(async () => {
  await pgBao?.stop();
});

describe('logical backup on PostgreSQL storage', () => {
  it('detects non-raft storage, backs up the tenants mount logically, and restores it into a fresh OpenBao with equal secrets', async () => {
    const login = await fetch(`${pgBao.addr}/v1/auth/userpass/login/${pgBao.users.admin.username}`, { method: 'POST', body: JSON.stringify({ password: pgBao.users.admin.password }) });
    const token = ((await login.json()) as { auth: { client_token: string } }).auth.client_token;
    const admin = clientFor(pgBao.addr, token);
    const root = clientFor(pgBao.addr, pgBao.rootToken);
    const salt = randomBytes(4).toString('hex');
    for (let i = 0; i < 5; i++) await writeTenant(root, 'tenants', `pg-${salt}-${i}`, salt);

    const bucket = await newBucket(s);
    const service = new BackupService({
      repo: new BackupRepo(openDatabase(':memory:')),
      clock: systemClock,
      config: async () => configFor(s, bucket, { kvMount: 'tenants' }),
      client: () => admin,
      actor: () => 'admin',
    });
    expect(await service.detectKind(admin)).toBe('logical');
    const rec = await service.run();
    expect(rec.status, rec.error ?? '').toBe('completed');
    expect(rec.kind).toBe('logical');
    expect(rec.itemCount).toBe(15);

    const fresh = await startOpenBao();
    try {
      const target = clientFor(fresh.addr, fresh.rootToken);
      const res = await service.restore(rec.id, { scope: 'mount', client: target });
      expect(res.written).toBe(15);
      const a = createKvStore(root, 'tenants');
      const b = createKvStore(target, 'tenants');
      for (let i = 0; i < 5; i++) {
        for (const p of ['profile', 'smtp/admin', 'api/k1']) {
          const path = `pg-${salt}-${i}/${p}`;
          expect((await b.read(path))!.data, path).toEqual((await a.read(path))!.data);
          expect((await b.readMetadata(path))!.customMetadata).toEqual((await a.readMetadata(path))!.customMetadata);
        }
      }
      target.close();
    } finally {
      await fresh.stop({ removeData: true });
      admin.close();
      root.close();
    }
  }, 240_000);
});
