// A tenant row tells the truth about all four secret types (worst status and how many),
// says which secret matched a status or due filter, and search ignores accents and case.
import { describe, expect, it } from 'vitest';
import { TenantSearchInputSchema, type TenantSearchInput } from '../../../../../src/shared/contracts/inventory';
import { fold } from '../../../../../src/shared/inventory/text-fold';
import { buildTenant, normalizeSecret, type RawMetadata } from '../../../../../src/main/services/inventory/normalize';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { InventoryRepo } from '../../../../../src/main/services/storage/inventory-repo';
import { MIGRATIONS, migrate } from '../../../../../src/main/services/storage/migrations';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

function meta(custom: Record<string, string>): RawMetadata {
  return { current_version: 1, current_metadata_version: 1, updated_time: '2026-05-01T00:00:00Z', custom_metadata: custom, versions: { '1': { created_time: '2026-05-01T00:00:00Z', deletion_time: '', destroyed: false } } };
}
const rot = (type: string, status: string, nextDays: number) => ({ schema: '1', type, status, last_rotated: new Date(NOW - 10 * DAY).toISOString(), next_rotation: new Date(NOW + nextDays * DAY).toISOString(), rotation_days: '90' });

function add(repo: InventoryRepo, id: string, name: string, secrets: Record<string, Record<string, string>>): void {
  const all: Record<string, RawMetadata> = { profile: meta({ schema: '1', type: 'profile', tenant_name: name, vps_ip: '10.0.0.1', domains: 'a.example.com' }), ...Object.fromEntries(Object.entries(secrets).map(([k, c]) => [k, meta(c)])) };
  const list = Object.entries(all).map(([rel, raw]) => normalizeSecret(id, rel, raw));
  repo.replaceTenant(buildTenant(id, list, 'stamp'), list, new Date(NOW).toISOString());
}

function fixture() {
  const db = openDatabase(':memory:');
  const repo = new InventoryRepo(db);
  // t-000004 of the issue: SSH and SMTP healthy, one DKIM key expired.
  add(repo, 't-000004', 'Café Olé Distribución S.L.', {
    'ssh/admin': rot('ssh', 'active', 60),
    'ssh/tenant': rot('ssh', 'active', 45),
    'smtp/admin': rot('smtp', 'active', 100),
    'api/ak_1': rot('api', 'active', 200),
    'api/ak_2': rot('api', 'active', -3),
    'api/ak_3': rot('api', 'active', -5),
    'dkim/a.example.com': rot('dkim', 'expired', -40),
    'dkim/b.example.com': rot('dkim', 'active', 5),
  });
  add(repo, 't-000005', 'Müller & Söhne GmbH', { 'ssh/admin': rot('ssh', 'active', 3), 'smtp/admin': rot('smtp', 'active', 20) });
  add(repo, 't-000006', 'İstanbul Posta A.Ş.', { 'api/ak_9': rot('api', 'revoked', -90) });
  add(repo, 't-000007', '株式会社さくら通信', { 'smtp/admin': rot('smtp', 'active', 100) });
  return { db, repo };
}
const search = (repo: InventoryRepo, input: TenantSearchInput) => repo.search(TenantSearchInputSchema.parse(input), NOW);

describe('the tenant row', () => {
  it('shows every secret type: the worst status and how many secrets have it; the row takes the worst of all', () => {
    const { repo } = fixture();
    const row = search(repo, { query: 't-000004' }).rows[0]!;
    expect(row.types.ssh).toEqual({ health: 'healthy', count: 2, total: 2 });
    expect(row.types.smtp).toEqual({ health: 'healthy', count: 1, total: 1 });
    expect(row.types.api).toEqual({ health: 'overdue', count: 2, total: 3 });
    expect(row.types.dkim).toEqual({ health: 'expired', count: 1, total: 2 });
    expect(row.overall).toBe('expired');
    // Not an all-green row any more: the columns that used to be there stay as they were.
    expect(row.ssh).toBe('healthy');
    expect(row.smtp).toBe('healthy');
  });

  it('a type the tenant has none of says so', () => {
    const { repo } = fixture();
    const row = search(repo, { query: 't-000006' }).rows[0]!;
    expect(row.types.ssh).toEqual({ health: 'none', count: 0, total: 0 });
    expect(row.types.api).toEqual({ health: 'revoked', count: 1, total: 1 });
  });

  it('under the Overdue filter, names the secrets that are overdue or expired, worst first', () => {
    const { repo } = fixture();
    const r = search(repo, { due: 'overdue' });
    expect(r.rows.map((x) => x.tenantId)).toEqual(['t-000004']);
    const row = r.rows[0]!;
    expect(row.matchedTotal).toBe(3);
    expect(row.matched.map((m) => `${m.type}:${m.name}:${m.health}`)).toEqual(['dkim:a.example.com:expired', 'api:ak_3:overdue', 'api:ak_2:overdue']);
  });

  it('under "next 7 days" with a type, names only that type, due in the window', () => {
    const { repo } = fixture();
    const r = search(repo, { due: '7d', type: 'dkim' });
    expect(r.rows.map((x) => x.tenantId)).toEqual(['t-000004']);
    expect(r.rows[0]!.matched).toEqual([{ type: 'dkim', name: 'b.example.com', health: 'due7', nextRotation: new Date(NOW + 5 * DAY).toISOString() }]);
    expect(search(repo, { due: '7d' }).rows.find((x) => x.tenantId === 't-000005')!.matched.map((m) => m.type)).toEqual(['ssh']);
  });

  it('a status filter names the secrets with that status; no filter names none', () => {
    const { repo } = fixture();
    expect(search(repo, { status: 'revoked' }).rows[0]!.matched.map((m) => m.name)).toEqual(['ak_9']);
    expect(search(repo, {}).rows.every((x) => x.matched.length === 0 && x.matchedTotal === 0)).toBe(true);
  });
});

describe('search without regard to accents or case', () => {
  it('folds accents, case and letters without a separable accent, and keeps CJK as it is', () => {
    expect(fold('Café Olé')).toBe('cafe ole');
    expect(fold('MÜLLER & SÖHNE')).toBe('muller & sohne');
    expect(fold('İstanbul Posta A.Ş.')).toBe('istanbul posta a.s.');
    expect(fold('Łódź Øresund Ærø Straße')).toBe('lodz oresund aero strasse');
    expect(fold('株式会社さくら通信')).toBe('株式会社さくら通信');
    expect(fold('が')).toBe('が');
  });

  it.each([
    ['cafe', 't-000004'],
    ['CAFÉ', 't-000004'],
    ['Cafe Ole', 't-000004'],
    ['café olé distribución', 't-000004'],
    ['muller', 't-000005'],
    ['Söhne', 't-000005'],
    ['istanbul', 't-000006'],
    ['posta a.s', 't-000006'],
    ['さくら', 't-000007'],
    ['ca', 't-000004'],
  ])('"%s" finds %s', (query, id) => {
    const { repo } = fixture();
    expect(search(repo, { query }).rows.map((r) => r.tenantId)).toEqual([id]);
  });

  it('an index built before the accent-insensitive fold is folded again by its migration', () => {
    const version = MIGRATIONS.find((m) => m.name === 'inventory accent-insensitive search')!.version;
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version < version) });
    // What the previous version wrote: lower case only, accents kept.
    db.prepare(
      "INSERT INTO inventory_tenants (tenant_id, id_fold, name, name_fold, vps_ip, vps_ip_sort, domains, api_count, dkim_count, ssh_state, ssh_rank, smtp_state, smtp_rank, all_state, all_rank, flags, problems, stamp, scanned_at) VALUES ('t-000004', 't-000004', 'Café Olé', 'café olé', '10.0.0.1', '010.000.000.001', '', 0, 0, 'none', 4, 'none', 4, 'none', 4, 0, 0, 's', '2026-01-01')",
    ).run();
    db.prepare("INSERT INTO inventory_search (rowid, hay) SELECT rowid, 't-000004 ␞ café olé' FROM inventory_tenants").run();
    const repo = new InventoryRepo(db);
    expect(search(repo, { query: 'cafe' }).total).toBe(0);
    migrate(db);
    expect(search(repo, { query: 'cafe' }).rows.map((r) => r.tenantId)).toEqual(['t-000004']);
    expect(search(repo, { query: 'CAFÉ OLÉ' }).total).toBe(1);
    expect((db.prepare('SELECT name_fold FROM inventory_tenants').get() as { name_fold: string }).name_fold).toBe('cafe ole');
  });
});
