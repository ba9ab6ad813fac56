// The inventory sync against the real OpenBao: full, incremental, someone else adding,
// rotating and deleting tenants, malformed metadata, hostile tenant ids, cancel, and a
// real crash (kill -9 of a CLI sync) followed by a resume.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantSearchInputSchema, type TenantSearchInput } from '../../../src/shared/contracts/inventory';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { DATABASE_FILE } from '../../../src/main/services/container';
import { InventoryService } from '../../../src/main/services/inventory/inventory-service';
import { MetadataSource } from '../../../src/main/services/inventory/metadata-source';
import { RotationService } from '../../../src/main/services/rotation/rotation-service';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { RotationRepo } from '../../../src/main/services/storage/rotation-repo';
import { openDatabase, type SqlDatabase } from '../../../src/main/services/storage/database';
import { InventoryRepo } from '../../../src/main/services/storage/inventory-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore, createKvV2Mount } from '../../../src/main/services/vault/kv';
import { bumpTenantStamps, stampsMountOf } from '../../../src/main/services/vault/tenant-stamps';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const COUNT = 40;
let s: ServicesState;
let root: VaultClient;
let kv: KvStore;
let mount = '';
const dirs: string[] = [];

async function mountKv(name: string): Promise<void> {
  await createKvV2Mount(root, name);
}

function freshIndex(client: VaultClient = root, m = mount): { service: InventoryService; db: SqlDatabase; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'inv-it-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, DATABASE_FILE));
  const service = new InventoryService({ repo: new InventoryRepo(db), clock: systemClock, client: () => client, mount: () => m, logger: quiet, concurrency: 8 });
  return { service, db, dir };
}

function q(input: TenantSearchInput = {}) {
  return TenantSearchInputSchema.parse(input);
}

async function vaultTenantIds(): Promise<string[]> {
  return (await kv.list('')).filter((k) => k.endsWith('/')).map((k) => k.slice(0, -1)).sort();
}

async function deleteTenant(id: string): Promise<void> {
  await deleteTenantIn(mount, id);
}

async function deleteTenantIn(m: string, id: string): Promise<void> {
  const kv = createKvStore(root, m);
  const walk = async (folder: string): Promise<void> => {
    for (const k of await kv.list(folder)) {
      if (k.endsWith('/')) await walk(`${folder}/${k.slice(0, -1)}`);
      else await kv.deleteMetadata(`${folder}/${k}`);
    }
  };
  await walk(id);
}

beforeAll(async () => {
  s = await loadTestServices();
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
  mount = `inv-it-${Date.now().toString(36)}`;
  await mountKv(mount);
  kv = createKvStore(root, mount);
  await seedTenants({ client: root, mount, count: COUNT, concurrency: 8, seed: 'inv-it', dkimPoolSize: 4, logger: quiet });
});

afterAll(async () => {
  await root?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  root?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('inventory sync on a real OpenBao', () => {
  it('a full sync indexes every tenant from metadata alone, with progress', async () => {
    const { service } = freshIndex();
    const progress: number[] = [];
    const r = await service.sync({ mode: 'full', onProgress: (p) => progress.push(p.done) });
    expect(r.outcome).toBe('done');
    expect(r.total).toBe(COUNT);
    expect(r.scanned).toBe(COUNT);
    expect(r.problems).toBe(0);
    expect(progress.at(-1)).toBe(COUNT);
    expect(service.search(q({ limit: 1000 })).total).toBe(COUNT);
    expect(service.state().lastFullSyncAt).not.toBeNull();
    const d = service.show('t-000001');
    expect(d.sshAdmin?.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(d.smtp?.usernameMasked).toMatch(/^admin@\*{5}\.(com|net|org)$/);
    expect(d.apiKeys.length).toBeGreaterThan(0);
    expect(d.dkim.length).toBeGreaterThan(0);
  });

  it('the auditor (metadata-only policy) can build the index; nothing in SQLite is a secret value', async () => {
    // The auditor may list, read and scan metadata, never data: the one-request-per-tenant scan.
    const token = await userpassLogin(s, s.openbao.users.auditor.username, s.openbao.users.auditor.password);
    const auditor = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), token);
    // A policy with metadata list + read but no scan: the sync falls back to LIST + one read per secret.
    const noScanPolicy = 'path "tenants/metadata" { capabilities = ["list"] }\npath "tenants/metadata/*" { capabilities = ["read", "list"] }\n';
    await baoFetch(s, 'PUT', 'sys/policies/acl/inventory-no-scan', { body: { policy: noScanPolicy } });
    const created = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies: ['inventory-no-scan'], ttl: '10m' } });
    const noScan = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), created.body.auth.client_token);
    try {
      await seedTenants({ client: root, mount: 'tenants', count: 3, startIndex: 900_001, concurrency: 3, seed: 'inv-aud', dkimPoolSize: 1, logger: quiet });
      for (const [client, strategy] of [
        [auditor, 'detailed'],
        [noScan, 'plain'],
      ] as const) {
        const { service, db } = freshIndex(client, 'tenants');
        const r = await service.sync({ mode: 'full' });
        expect(r.outcome).toBe('done');
        expect(r.strategy).toBe(strategy);
        expect(service.show('t-900001').sshAdmin?.fingerprint).toMatch(/^SHA256:/);
        const dump = JSON.stringify(db.prepare('SELECT * FROM inventory_secrets').all()) + JSON.stringify(db.prepare('SELECT * FROM inventory_tenants').all());
        expect(dump).not.toMatch(/PRIVATE KEY|"password"|sha256:[0-9a-f]{64}/);
      }
    } finally {
      auditor.close();
      noScan.close();
      for (const id of ['t-900001', 't-900002', 't-900003']) await deleteTenantIn('tenants', id);
    }
  });

  it('an incremental sync rescans only what changed: added, rotated and deleted tenants', async () => {
    const { service } = freshIndex();
    await service.sync({ mode: 'full' });
    const again = await service.sync();
    expect(again.scanned).toBe(0);
    expect(again.unchanged).toBe(COUNT);

    // Someone else: adds a tenant, rotates t-000002's admin SSH key (bumping the profile stamp as documented), deletes t-000003.
    await seedTenants({ client: root, mount, count: 1, startIndex: 500, concurrency: 1, seed: 'inv-it', dkimPoolSize: 1, logger: quiet });
    const meta = await kv.readMetadata('t-000002/ssh/admin');
    const rotated = new Date(Date.now() - 60_000).toISOString();
    await kv.writeMetadata('t-000002/ssh/admin', { customMetadata: { ...meta!.customMetadata, status: 'expired', last_rotated: rotated } });
    const prof = await kv.readMetadata('t-000002/profile');
    await kv.writeMetadata('t-000002/profile', { customMetadata: { ...prof!.customMetadata, changed_at: new Date().toISOString() } });
    await deleteTenant('t-000003');

    const r = await service.sync();
    expect(r).toMatchObject({ outcome: 'done', added: 1, removed: 1, scanned: 2, unchanged: COUNT - 2 });
    expect(service.show('t-000002').sshAdmin).toMatchObject({ status: 'expired', health: 'expired', lastRotated: rotated });
    expect(() => service.show('t-000003')).toThrow(/not in the index/);
    expect(service.show('t-000500').tenantId).toBe('t-000500');
    const ids = service.search(q({ limit: 1000 })).rows.map((t) => t.tenantId).sort();
    expect(ids).toEqual(await vaultTenantIds());
  });

  it('a secret with missing or malformed custom_metadata shows as unknown with the reason, and the sync goes on', async () => {
    await kv.write('t-000004/api/ak_ffffffffffffffff', { key_id: 'x' }, { cas: 0 });
    const meta = await kv.readMetadata('t-000004/smtp/admin');
    await kv.writeMetadata('t-000004/smtp/admin', { customMetadata: { ...meta!.customMetadata, next_rotation: 'not-a-date' } });
    const { service } = freshIndex();
    const r = await service.sync({ mode: 'full' });
    expect(r.outcome).toBe('done');
    expect(r.scanned).toBe(r.total);
    const d = service.show('t-000004');
    expect(d.smtp).toMatchObject({ health: 'unknown', problem: 'next_rotation is not a valid date' });
    expect(d.apiKeys.find((k) => k.keyId === 'ak_ffffffffffffffff')).toMatchObject({ health: 'unknown', problem: 'custom_metadata is missing' });
    expect(d.problems.map((p) => p.reason)).toContain('custom_metadata is missing');
    const row = service.search(q({ query: 't-000004' })).rows[0]!;
    expect(row.smtp).toBe('unknown');
    expect(row.problems).toBe(2);
  });

  it('tenant ids and names with unicode, quotes, % and _ are indexed and searched literally', async () => {
    const hostile = ["t-ü'\"%_x", 't-%', 't-_', `t-${'long'.repeat(50)}`];
    const names = ['Ünïcode "Quoted" 100% _under_', '%', '_', 'x'.repeat(400)];
    for (const [i, id] of hostile.entries()) {
      await kv.writeMetadata(`${id}/profile`, { customMetadata: { schema: '1', type: 'profile', tenant_name: names[i]!, vps_ip: '192.0.2.1', domains: 'a.example.com' } });
      await kv.write(`${id}/profile`, { tenant_id: id }, { cas: 0 });
    }
    const { service } = freshIndex();
    await service.sync({ mode: 'full' });
    expect(service.search(q({ query: '%' })).rows.map((r) => r.tenantId).sort()).toEqual(["t-%", "t-ü'\"%_x"].sort());
    expect(service.search(q({ query: '_' })).rows.map((r) => r.tenantId).sort()).toEqual(["t-_", "t-ü'\"%_x"].sort());
    expect(service.search(q({ query: 'ÜNÏCODE "quoted"' })).rows.map((r) => r.tenantId)).toEqual(["t-ü'\"%_x"]);
    expect(service.search(q({ query: "'; DROP TABLE inventory_tenants; --" })).total).toBe(0);
    expect(service.search(q({ query: 'long'.repeat(50) })).rows.map((r) => r.tenantId)).toEqual([`t-${'long'.repeat(50)}`]);
    expect(service.search(q({ query: '192.0.2.' })).total).toBe(4);
    for (const id of hostile) await deleteTenant(id);
  });

  it('a cancelled sync stops early, keeps what it indexed, and the next sync completes the index', async () => {
    const { service } = freshIndex();
    const stop = new AbortController();
    const r = await service.sync({ mode: 'full', signal: stop.signal, onProgress: (p) => p.done >= 5 && stop.abort() });
    expect(r.outcome).toBe('cancelled');
    expect(r.scanned).toBeLessThan(r.total);
    expect(service.state().lastOutcome).toBe('cancelled');
    const next = await service.sync({ mode: 'full' });
    expect(next.outcome).toBe('done');
    // The interrupted full run resumes: tenants indexed by it are not scanned again.
    expect(next.unchanged).toBeGreaterThan(0);
    expect(service.search(q({ limit: 1000 })).rows.map((t) => t.tenantId).sort()).toEqual(await vaultTenantIds());
  });

  it('survives a crash: kill -9 of a CLI sync mid-run, then the next run is marked and completes the index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inv-crash-'));
    dirs.push(dir);
    // A bigger mount of its own, so the kill lands mid-run.
    const crashMount = `${mount}-crash`;
    await mountKv(crashMount);
    await seedTenants({ client: root, mount: crashMount, count: 300, concurrency: 16, seed: 'inv-crash', dkimPoolSize: 2, logger: quiet });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', 'tenants', 'sync', '-full', '-concurrency=1', '-verbose', `-data-dir=${dir}`], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken, VAULT_CONSOLE_KV_MOUNT: crashMount },
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group: SIGKILL reaches node under npx, as a real crash would.
      detached: true,
    });
    // Kill once the first tenants are committed (progress lines on stderr, live with -verbose).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the CLI sync never reported scanning progress')), 45_000);
      child.stderr.on('data', (b: Buffer) => {
        if (/scanning [1-9]\d*\//.test(b.toString())) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const db = openDatabase(join(dir, DATABASE_FILE));
    const service = new InventoryService({ repo: new InventoryRepo(db), clock: systemClock, client: () => root, mount: () => crashMount, logger: quiet });
    expect(service.state().lastOutcome).toBe('interrupted');
    const partial = service.state().tenants;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(300);
    const r = await service.sync({ mode: 'full' });
    expect(r.outcome).toBe('done');
    expect(r.unchanged).toBe(partial);
    const ids = (await createKvStore(root, crashMount).list('')).map((k) => k.slice(0, -1)).sort();
    expect(service.search(q({ limit: 1000 })).rows.map((t) => t.tenantId).sort()).toEqual(ids);
    db.close();
    await root.request('DELETE', `sys/mounts/${crashMount}`).catch(() => undefined);
  }, 90_000);
});

describe('change stamps: the <mount>-stamps companion mount', () => {
  let sm = '';
  beforeAll(async () => {
    sm = `inv-st-${Date.now().toString(36)}`;
    await mountKv(sm);
    // Seeded before the stamps mount existed: this tenant has no stamp (profile fallback).
    await seedTenants({ client: root, mount: sm, count: 1, startIndex: 100, concurrency: 1, seed: 'inv-st', dkimPoolSize: 1, logger: quiet });
    await mountKv(stampsMountOf(sm));
    await seedTenants({ client: root, mount: sm, count: 25, concurrency: 8, seed: 'inv-st', dkimPoolSize: 2, logger: quiet });
  });
  afterAll(async () => {
    for (const m of [sm, stampsMountOf(sm)]) await root?.request('DELETE', `sys/mounts/${m}`).catch(() => undefined);
  });

  function stampIndex(client: VaultClient = root) {
    const dir = mkdtempSync(join(tmpdir(), 'inv-st-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, DATABASE_FILE));
    // Pages of 10: 25 stamps take three LIST requests.
    return new InventoryService({ repo: new InventoryRepo(db), clock: systemClock, client: () => client, mount: () => sm, logger: quiet, concurrency: 8, stampsPageSize: 10 });
  }

  it('the seeder stamps each tenant it writes; the sync reads all stamps in pages', async () => {
    const stamps = await new MetadataSource(root, sm, 4).listStamps(10);
    expect(stamps).not.toBeNull();
    expect([...stamps!.keys()].sort()).toEqual(Array.from({ length: 25 }, (_, i) => `t-${String(i + 1).padStart(6, '0')}`));
    expect([...stamps!.values()].every((v) => /^m:\d{4}-\d\d-\d\dT.*\|0\|1$/.test(v))).toBe(true);
  });

  it('an incremental sync with nothing changed costs the tenant LIST, the stamp pages and one read per unstamped tenant', async () => {
    const service = stampIndex();
    const full = await service.sync({ mode: 'full' });
    expect(full).toMatchObject({ outcome: 'done', total: 26, scanned: 26 });
    expect(service.show('t-000100').name).not.toBe('');
    const again = await service.sync();
    // 1 LIST of the mount + 3 stamp pages + 1 profile read (t-000100 has no stamp).
    expect(again).toMatchObject({ outcome: 'done', scanned: 0, unchanged: 26, requests: 5 });
  });

  it('a console write (secret, then the stamp) is picked up; the other tenants cost nothing', async () => {
    const service = stampIndex();
    await service.sync({ mode: 'full' });
    // Another admin's console rotates t-000004's SSH admin key and stamps the tenant, and
    // revokes an API key of the unstamped t-000100 (its first stamp is created then).
    const skv = createKvStore(root, sm);
    const meta = await skv.readMetadata('t-000004/ssh/admin');
    const rotated = new Date(Date.now() - 30_000).toISOString();
    await skv.writeMetadata('t-000004/ssh/admin', { customMetadata: { ...meta!.customMetadata, status: 'expired', last_rotated: rotated } });
    const smtp = await skv.readMetadata('t-000100/smtp/admin');
    await skv.writeMetadata('t-000100/smtp/admin', { customMetadata: { ...smtp!.customMetadata, status: 'expired' } });
    const w = await bumpTenantStamps(root, sm, ['t-000004', 't-000100'], new Date().toISOString());
    expect(w).toMatchObject({ stamped: 2, viaProfile: 0, failed: [] });

    const r = await service.sync();
    expect(r).toMatchObject({ outcome: 'done', scanned: 2, unchanged: 24, removed: 0 });
    expect(service.show('t-000004').sshAdmin).toMatchObject({ status: 'expired', lastRotated: rotated });
    expect(service.show('t-000100').smtp).toMatchObject({ status: 'expired' });
    // Every tenant is stamped now: LIST + 3 pages, nothing per tenant.
    expect((await service.sync()).requests).toBe(4);
  });

  it("another console's Rotate Now stamps its tenant; the next incremental sync rescans exactly that one", async () => {
    const service = stampIndex();
    await service.sync({ mode: 'full' });
    const dir = mkdtempSync(join(tmpdir(), 'inv-st-rot-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, DATABASE_FILE));
    const other = new RotationService({ repo: new RotationRepo(db), clock: systemClock, client: () => root, mount: () => sm, actor: () => 'other-admin', logger: quiet });
    try {
      const one = await other.rotateOne('t-000007', 'smtp', 'quarterly review');
      const r = await service.sync();
      expect(r).toMatchObject({ scanned: 1, unchanged: 25 });
      expect(service.show('t-000007').smtp).toMatchObject({ lastRotated: one.rotatedAt });
    } finally {
      db.close();
    }
  });

  it('a tenant deleted in Vault disappears even though its stamp is left behind', async () => {
    const service = stampIndex();
    await service.sync({ mode: 'full' });
    await deleteTenantIn(sm, 't-000020');
    const r = await service.sync();
    expect(r).toMatchObject({ outcome: 'done', removed: 1, scanned: 0 });
    expect(() => service.show('t-000020')).toThrow(/not in the index/);
    // Re-created with the same id (and a new stamp): indexed again.
    await seedTenants({ client: root, mount: sm, count: 1, startIndex: 20, concurrency: 1, seed: 'inv-st', dkimPoolSize: 1, logger: quiet });
    expect(await service.sync()).toMatchObject({ added: 1, scanned: 1 });
  });

  it('the admin and auditor policies allow listing the stamps; a writer without the stamps mount falls back to the profile', async () => {
    const token = await userpassLogin(s, s.openbao.users.auditor.username, s.openbao.users.auditor.password);
    const auditor = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), token);
    try {
      expect(await new MetadataSource(auditor, 'tenants', 2).listStamps()).toBeInstanceOf(Map);
    } finally {
      auditor.close();
    }
    // The first describe's mount has no stamps mount: the profile's changed_at moves instead.
    const before = await kv.readMetadata('t-000001/profile');
    const w = await bumpTenantStamps(root, mount, ['t-000001'], '2026-11-29T01:00:00.000Z');
    expect(w).toMatchObject({ stamped: 0, viaProfile: 1, failed: [] });
    const after = await kv.readMetadata('t-000001/profile');
    expect(after!.customMetadata.changed_at).toBe('2026-11-29T01:00:00.000Z');
    expect(after!.customMetadata.tenant_name).toBe(before!.customMetadata.tenant_name);
    expect(await new MetadataSource(root, mount, 2).listStamps()).toEqual(new Map());
  });
});
