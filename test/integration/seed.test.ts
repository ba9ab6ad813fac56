// The seeder against the real OpenBao started by global setup: layout, metadata,
// rotation-state spread, and that a re-run changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { decodeOpenSshPrivateKey, fingerprintOfPublicKeyLine } from '../../src/main/services/keys/ssh-ed25519';
import { MD } from '../../src/main/services/seed/layout';
import { classify, type RotationBucket } from '../../src/main/services/seed/rotation-plan';
import { seedTenants, type SeedResult } from '../../src/main/services/seed/seeder';
import { createKvStore, type KvStore, createKvV2Mount } from '../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../src/main/services/vault/vault-client';
import { loadTestServices } from './helpers/services';

const COUNT = 50;
const NOW = new Date();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let client: VaultClient;
let kv: KvStore;
let mount = '';
let first: SeedResult;
const progress: number[] = [];

beforeAll(async () => {
  const s = await loadTestServices();
  client = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
  // A mount of its own, so other tests' view of the shared "tenants" mount is untouched.
  mount = `seed-it-${Date.now().toString(36)}`;
  await createKvV2Mount(client, mount);
  kv = createKvStore(client, mount);
  first = await seedTenants({ client, mount, count: COUNT, concurrency: 8, seed: 'it', now: NOW, dkimPoolSize: 8, logger: quiet, onProgress: (p) => progress.push(p.done) });
});

afterAll(async () => {
  await client?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  client?.close();
});

describe('seedTenants on a real OpenBao', () => {
  it('writes every tenant and reports progress up to the total', () => {
    expect(first.written).toBe(COUNT);
    expect(first.skipped).toBe(0);
    expect(progress.at(-1)).toBe(COUNT);
    expect(progress).toHaveLength(COUNT);
  });

  it('lays tenants out as documented in docs/vault-layout.md', async () => {
    const tenants = await kv.list('');
    expect(tenants).toHaveLength(COUNT);
    expect(tenants[0]).toBe('t-000001/');
    const inside = await kv.list('t-000001');
    expect(inside.sort()).toEqual(['api/', 'dkim/', 'profile', 'smtp/', 'ssh/']);
    expect((await kv.list('t-000001/ssh')).sort()).toEqual(['admin', 'tenant']);
    expect(await kv.list('t-000001/smtp')).toEqual(['admin']);
    const api = await kv.list('t-000001/api');
    expect(api.length).toBeGreaterThanOrEqual(1);
    expect(api.length).toBeLessThanOrEqual(5);
    expect(api.every((k) => /^ak_[0-9a-f]{16}$/.test(k))).toBe(true);
    const dkim = await kv.list('t-000001/dkim');
    expect(dkim.length).toBeGreaterThanOrEqual(1);
    expect(dkim.length).toBeLessThanOrEqual(3);
  });

  it('writes secrets whose data matches their metadata (fingerprint, selector, profile)', async () => {
    const profile = await kv.read<{ name: string; vps_ip: string; domains: string[] }>('t-000002/profile');
    expect(profile?.customMetadata[MD.tenantName]).toBe(profile?.data.name);
    expect(profile?.customMetadata[MD.vpsIp]).toBe(profile?.data.vps_ip);
    const ssh = await kv.read<{ private_key: string; public_key: string; fingerprint: string }>('t-000002/ssh/admin');
    expect(ssh?.customMetadata[MD.fingerprint]).toBe(fingerprintOfPublicKeyLine(ssh!.data.public_key));
    expect(decodeOpenSshPrivateKey(ssh!.data.private_key).keyType).toBe('ssh-ed25519');
    const domain = profile!.data.domains[0]!;
    const dkim = await kv.read<{ selector: string; txt: string }>(`t-000002/dkim/${domain}`);
    expect(dkim?.customMetadata[MD.selector]).toBe(dkim?.data.selector);
    expect(dkim?.data.txt).toMatch(/^v=DKIM1; k=rsa; p=/);
    const smtp = await kv.read<{ username: string; password: string; webmail_url: string }>('t-000002/smtp/admin');
    expect(smtp?.data.username).toBe(`admin@${domain}`);
    expect(smtp?.data.password.length).toBeGreaterThanOrEqual(32);
    expect(smtp?.data.webmail_url).toBe(`https://mail.${domain}`);
  });

  it('puts the documented metadata keys on every secret, readable without reading data', async () => {
    const required: Record<string, string[]> = {
      profile: [MD.schema, MD.type, MD.tenantName, MD.vpsIp, MD.domains],
      ssh: [MD.schema, MD.type, MD.status, MD.lastRotated, MD.nextRotation, MD.rotationDays, MD.fingerprint],
      smtp: [MD.schema, MD.type, MD.status, MD.lastRotated, MD.nextRotation, MD.rotationDays, MD.webmailUrl],
      api: [MD.schema, MD.type, MD.status, MD.lastRotated, MD.nextRotation, MD.prefix, MD.permissions, MD.rateLimit, MD.created, MD.requestCount],
      dkim: [MD.schema, MD.type, MD.status, MD.lastRotated, MD.nextRotation, MD.rotationDays, MD.selector, MD.domain],
    };
    for (const t of ['t-000003', 't-000017']) {
      const paths = ['profile', 'ssh/admin', 'ssh/tenant', 'smtp/admin', ...(await kv.list(`${t}/api`)).map((k) => `api/${k}`), ...(await kv.list(`${t}/dkim`)).map((k) => `dkim/${k}`)];
      for (const p of paths) {
        const md = await kv.readMetadata(`${t}/${p}`);
        expect(md?.currentVersion).toBe(1);
        const type = md!.customMetadata[MD.type]!;
        for (const key of required[type]!) expect(md!.customMetadata, `${t}/${p} ${key}`).toHaveProperty(key);
        if (type !== 'profile') expect(['active', 'expired', 'revoked']).toContain(md!.customMetadata[MD.status]);
      }
    }
  });

  it('spreads rotation state over overdue, due in 7 and 30 days, expired and revoked', async () => {
    const seen = new Map<RotationBucket, number>();
    for (let i = 1; i <= COUNT; i++) {
      const t = `t-${String(i).padStart(6, '0')}`;
      const paths = ['ssh/admin', 'ssh/tenant', 'smtp/admin', ...(await kv.list(`${t}/api`)).map((k) => `api/${k}`)];
      for (const p of paths) {
        const md = await kv.readMetadata(`${t}/${p}`);
        const b = classify(md!.customMetadata, NOW);
        seen.set(b, (seen.get(b) ?? 0) + 1);
      }
    }
    for (const b of ['healthy', 'due30', 'due7', 'overdue', 'expired', 'revoked'] as const) expect(seen.get(b) ?? 0, b).toBeGreaterThan(0);
  });

  it('is safe to re-run: existing tenants are skipped and no version changes', async () => {
    const before = await kv.readMetadata('t-000010/smtp/admin');
    const again = await seedTenants({ client, mount, count: COUNT, concurrency: 8, seed: 'it', now: NOW, logger: quiet });
    expect(again).toMatchObject({ written: 0, skipped: COUNT, secretsWritten: 0, dkimKeysGenerated: 0 });
    const after = await kv.readMetadata('t-000010/smtp/admin');
    expect(after?.currentVersion).toBe(before?.currentVersion);
  });

  it('completes a half-written tenant without replacing the secrets it has', async () => {
    // Simulate an interrupted run: t-000020 lost its profile (the completion marker) and smtp.
    const ssh = await kv.readMetadata('t-000020/ssh/admin');
    const apiBefore = (await kv.list('t-000020/api')).sort();
    await kv.deleteMetadata('t-000020/profile');
    await kv.deleteMetadata('t-000020/smtp/admin');
    const r = await seedTenants({ client, mount, count: 1, startIndex: 20, seed: 'it', now: NOW, logger: quiet });
    expect(r.written).toBe(1);
    expect(r.secretsWritten).toBe(2); // smtp/admin and profile
    expect(r.secretsKept).toBeGreaterThanOrEqual(4); // ssh×2, ≥1 api, ≥1 dkim
    expect((await kv.readMetadata('t-000020/ssh/admin'))?.currentVersion).toBe(ssh?.currentVersion);
    expect((await kv.readMetadata('t-000020/profile'))?.currentVersion).toBe(1);
    // Stable API key ids: the retry finds the same keys instead of adding new ones.
    expect((await kv.list('t-000020/api')).sort()).toEqual(apiBefore);
  });

  it('extends a seeded range with startIndex without touching earlier tenants', async () => {
    const r = await seedTenants({ client, mount, count: 5, startIndex: COUNT + 1, seed: 'it', now: NOW, dkimPoolSize: 2, logger: quiet });
    expect(r.written).toBe(5);
    expect(await kv.list('')).toHaveLength(COUNT + 5);
  });
});

describe('KV v2 store (kv.ts) on a real OpenBao', () => {
  it('reads a missing path as null and lists a missing folder as empty', async () => {
    expect(await kv.read('nobody/profile')).toBeNull();
    expect(await kv.readMetadata('nobody/profile')).toBeNull();
    expect(await kv.list('nobody')).toEqual([]);
  });

  it('enforces check-and-set: cas 0 creates once, a stale version is a CONFLICT', async () => {
    const v1 = await kv.write('kv-it/cas', { a: 1 }, { cas: 0 });
    expect(v1.version).toBe(1);
    await expect(kv.write('kv-it/cas', { a: 2 }, { cas: 0 })).rejects.toMatchObject({ code: 'CONFLICT' });
    const v2 = await kv.write('kv-it/cas', { a: 2 }, { cas: 1 });
    expect(v2.version).toBe(2);
    await expect(kv.write('kv-it/cas', { a: 3 }, { cas: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await kv.read<{ a: number }>('kv-it/cas'))?.data.a).toBe(2);
    expect((await kv.read<{ a: number }>('kv-it/cas', 1))?.data.a).toBe(1);
  });

  it('writes and reads custom_metadata, returned with the data too', async () => {
    await kv.writeMetadata('kv-it/md', { customMetadata: { type: 'smtp', status: 'active' } });
    await kv.write('kv-it/md', { x: 'y' });
    const md = await kv.readMetadata('kv-it/md');
    expect(md).toMatchObject({ currentVersion: 1, customMetadata: { type: 'smtp', status: 'active' } });
    expect(md?.versions['1']?.version).toBe(1);
    expect((await kv.read('kv-it/md'))?.customMetadata).toEqual({ type: 'smtp', status: 'active' });
  });

  it('URL-encodes path segments (spaces, unicode, "?" and "#") and refuses ".." segments', async () => {
    const odd = 'kv-it/odd/ä b?c#d';
    await kv.write(odd, { ok: true });
    expect((await kv.read<{ ok: boolean }>(odd))?.data.ok).toBe(true);
    expect(await kv.list('kv-it/odd')).toEqual(['ä b?c#d']);
    await expect(kv.read('kv-it/../profile')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(kv.read('')).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('deletes a path with all its versions and metadata', async () => {
    await kv.write('kv-it/gone', { a: 1 });
    await kv.deleteMetadata('kv-it/gone');
    expect(await kv.readMetadata('kv-it/gone')).toBeNull();
  });
});
