// Migration "inventory index" on a fresh database, and the repo's search on it: LIKE
// wildcards and quotes in user text match literally, filters combine, sorts are stable.
import { describe, expect, it } from 'vitest';
import { TenantSearchInputSchema, type TenantSearchInput } from '../../../../../src/shared/contracts/inventory';
import { buildTenant, normalizeSecret, type RawMetadata } from '../../../../../src/main/services/inventory/normalize';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { escapeLike, InventoryRepo } from '../../../../../src/main/services/storage/inventory-repo';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const v = MIGRATIONS.find((m) => m.name === 'inventory index')!.version;

function meta(custom: Record<string, string>, version = 1): RawMetadata {
  return { current_version: version, current_metadata_version: 1, updated_time: '2026-05-01T00:00:00Z', custom_metadata: custom, versions: { '1': { created_time: '2026-05-01T00:00:00Z', deletion_time: '', destroyed: false } } };
}
const rot = (status: string, nextDays: number) => ({ schema: '1', status, last_rotated: new Date(NOW - 10 * DAY).toISOString(), next_rotation: new Date(NOW + nextDays * DAY).toISOString(), rotation_days: '90' });

function addTenant(repo: InventoryRepo, id: string, name: string, ip: string, secrets: Record<string, Record<string, string>>): void {
  const all: Record<string, RawMetadata> = { profile: meta({ schema: '1', type: 'profile', tenant_name: name, vps_ip: ip, domains: 'a.example.com' }), ...Object.fromEntries(Object.entries(secrets).map(([k, c]) => [k, meta(c)])) };
  const list = Object.entries(all).map(([rel, raw]) => normalizeSecret(id, rel, raw));
  repo.replaceTenant(buildTenant(id, list, 'stamp'), list, new Date(NOW).toISOString());
}

function seeded() {
  const db = openDatabase(':memory:');
  const repo = new InventoryRepo(db);
  addTenant(repo, 't-000001', 'Alpha GmbH', '10.0.0.2', { 'ssh/admin': { ...rot('active', 50), type: 'ssh' }, 'smtp/admin': { ...rot('active', 3), type: 'smtp' } });
  addTenant(repo, 't-000002', '100%_Ünïcode "Co"', '10.0.0.10', { 'ssh/admin': { ...rot('expired', -40), type: 'ssh' }, 'api/ak_1': { ...rot('revoked', -100), type: 'api' } });
  addTenant(repo, 't-000003', 'Beta', '203.0.113.5', { 'ssh/admin': { ...rot('active', -2), type: 'ssh' }, 'dkim/a.example.com': { ...rot('active', 20), type: 'dkim' } });
  addTenant(repo, 't-000004', 'x_y', '10.0.0.3', { 'ssh/admin': { type: 'ssh', status: 'bogus' } });
  return { db, repo };
}
const search = (repo: InventoryRepo, input: TenantSearchInput) => repo.search(TenantSearchInputSchema.parse(input), NOW);
const ids = (r: { rows: { tenantId: string }[] }) => r.rows.map((x) => x.tenantId);

describe('migration: inventory index', () => {
  it('creates the inventory tables and indexes on a fresh database', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, v) });
    expect(currentVersion(db)).toBe(v);
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name LIKE 'inventory%'").all() as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['inventory_tenants', 'inventory_secrets', 'inventory_sync_runs', 'inventory_secrets_tenant_next', 'inventory_tenants_name', 'inventory_tenants_ssh', 'inventory_search']));
  });

  it('deleting a tenant removes its secrets (cascade)', () => {
    const { db, repo } = seeded();
    repo.deleteTenants(['t-000001']);
    expect((db.prepare("SELECT count(*) AS n FROM inventory_secrets WHERE tenant_id='t-000001'").get() as { n: number }).n).toBe(0);
  });
});

describe('inventory search', () => {
  it('escapes LIKE wildcards so % and _ match literally', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
    const { repo } = seeded();
    expect(ids(search(repo, { query: '%' }))).toEqual(['t-000002']);
    expect(ids(search(repo, { query: '_' }))).toEqual(['t-000002', 't-000004']);
    expect(ids(search(repo, { query: "'" }))).toEqual([]);
  });

  it('matches names in any case, including non-ASCII letters', () => {
    const { repo } = seeded();
    expect(ids(search(repo, { query: 'ÜNÏCODE "co"' }))).toEqual(['t-000002']);
    expect(ids(search(repo, { query: 'ALPHA' }))).toEqual(['t-000001']);
  });

  it('matches VPS IP by prefix only', () => {
    const { repo } = seeded();
    expect(ids(search(repo, { query: '10.0.0.1' }))).toEqual(['t-000002']);
    expect(ids(search(repo, { query: '0.0.1' }))).toEqual([]);
  });

  it('filters by type, status and due, combined on the same secret, with a total', () => {
    const { repo } = seeded();
    expect(ids(search(repo, { status: 'expired' }))).toEqual(['t-000002']);
    expect(ids(search(repo, { type: 'api', status: 'revoked' }))).toEqual(['t-000002']);
    expect(ids(search(repo, { due: 'overdue' }))).toEqual(['t-000002', 't-000003']);
    expect(ids(search(repo, { type: 'smtp', due: '7d' }))).toEqual(['t-000001']);
    expect(ids(search(repo, { due: '30d' }))).toEqual(['t-000001', 't-000003']);
    expect(ids(search(repo, { type: 'dkim', due: '7d' }))).toEqual([]);
    const r = search(repo, { query: '10.0.0', due: 'overdue' });
    expect(r.total).toBe(1);
  });

  it('computes column colours at query time and sorts by them worst first (unknown right after expired)', () => {
    const { repo } = seeded();
    const r = search(repo, { sort: 'ssh' });
    expect(r.rows.map((x) => [x.tenantId, x.ssh])).toEqual([
      ['t-000002', 'expired'],
      ['t-000004', 'unknown'],
      ['t-000003', 'overdue'],
      ['t-000001', 'healthy'],
    ]);
    expect(search(repo, { sort: 'vpsIp' }).rows.map((x) => x.vpsIp)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.10', '203.0.113.5']);
    expect(search(repo, { sort: 'tenantId', dir: 'desc', limit: 2, offset: 1 }).rows.map((x) => x.tenantId)).toEqual(['t-000003', 't-000002']);
  });
});

describe('normalizeSecret', () => {
  it('marks missing or malformed custom_metadata as unknown with the reason', () => {
    expect(normalizeSecret('t', 'ssh/admin', { custom_metadata: null }).problem).toBe('custom_metadata is missing');
    expect(normalizeSecret('t', 'ssh/admin', meta({ status: 'active' })).problem).toBe('custom_metadata has no next_rotation');
    expect(normalizeSecret('t', 'ssh/admin', meta({ status: 'weird', next_rotation: 'x' })).problem).toMatch(/^status "weird"/);
    expect(normalizeSecret('t', 'ssh/admin', meta({ ...rot('active', 1), type: 'smtp' })).problem).toMatch(/does not match the path/);
    expect(normalizeSecret('t', 'ssh/admin', meta({ ...rot('active', 1), schema: '9' })).problem).toMatch(/schema "9"/);
    expect(normalizeSecret('t', 'foo/bar/baz', meta(rot('active', 1))).problem).toBe('path is not part of the documented layout');
  });

  it('keeps only documented metadata keys in the index', () => {
    const s = normalizeSecret('t', 'ssh/admin', meta({ ...rot('active', 1), private_key: 'nope', note: 'x' }));
    expect(s.metadata).not.toHaveProperty('private_key');
    expect(s.metadata).not.toHaveProperty('note');
    expect(s.status).toBe('active');
  });
});
