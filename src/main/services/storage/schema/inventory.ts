// The inventory index: tenant and secret METADATA from KV v2 (custom_metadata, versions,
// timestamps). Never a secret value: the sync reads metadata endpoints only.
import type Database from 'better-sqlite3';
import { fold } from '../../../../shared/inventory/text-fold';

// Separates id and name in the search text; a query containing it finds nothing, as it should.
const SEP = '\u241e';

/** What the trigram index holds for a tenant: "<id> ␞ <name>", folded (case and accents). */
export function searchText(tenantId: string, name: string): string {
  return `${fold(tenantId)} ${SEP} ${fold(name)}`;
}

export function createInventorySchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE inventory_tenants (
      tenant_id     TEXT PRIMARY KEY,
      -- lower-cased (full Unicode, in JS) copies for case-insensitive substring search
      id_fold       TEXT NOT NULL,
      name          TEXT NOT NULL,
      name_fold     TEXT NOT NULL,
      vps_ip        TEXT NOT NULL,
      -- zero-padded IPv4 (010.000.000.001) so VPS IP sorts numerically
      vps_ip_sort   TEXT NOT NULL,
      domains       TEXT NOT NULL,
      api_count     INTEGER NOT NULL,
      dkim_count    INTEGER NOT NULL,
      last_rotation TEXT,
      -- per column: the worst static state (expired > unknown > active > revoked > none), its
      -- rank (0..4, for index-backed sorting) and the earliest next_rotation (ms) of its active
      -- secrets; "overdue / due in N days" is decided at query time from *_next
      ssh_state     TEXT NOT NULL,
      ssh_rank      INTEGER NOT NULL,
      ssh_next      INTEGER,
      smtp_state    TEXT NOT NULL,
      smtp_rank     INTEGER NOT NULL,
      smtp_next     INTEGER,
      api_next      INTEGER,
      dkim_next     INTEGER,
      all_state     TEXT NOT NULL,
      all_rank      INTEGER NOT NULL,
      all_next      INTEGER,
      -- bit (type*4 + status) set when the tenant has a secret of that type and status
      -- (type ssh=0 smtp=1 api=2 dkim=3; status active=0 expired=1 revoked=2 unknown=3)
      flags         INTEGER NOT NULL,
      problems      INTEGER NOT NULL,
      -- the profile's metadata stamp (updated_time|current_version|current_metadata_version)
      stamp         TEXT NOT NULL,
      scanned_at    TEXT NOT NULL
    ) STRICT;
    -- one index per sortable column, ending in tenant_id (the tie-breaker), so a page is an index walk
    CREATE INDEX inventory_tenants_name ON inventory_tenants(name_fold, tenant_id);
    CREATE INDEX inventory_tenants_ip ON inventory_tenants(vps_ip);
    CREATE INDEX inventory_tenants_ip_sort ON inventory_tenants(vps_ip_sort, tenant_id);
    CREATE INDEX inventory_tenants_last_rotation ON inventory_tenants(last_rotation, tenant_id);
    CREATE INDEX inventory_tenants_api ON inventory_tenants(api_count, tenant_id);
    CREATE INDEX inventory_tenants_dkim ON inventory_tenants(dkim_count, tenant_id);
    CREATE INDEX inventory_tenants_ssh ON inventory_tenants(ssh_rank, ssh_next, tenant_id);
    CREATE INDEX inventory_tenants_smtp ON inventory_tenants(smtp_rank, smtp_next, tenant_id);
    CREATE INDEX inventory_tenants_all ON inventory_tenants(all_rank, all_next, tenant_id);

    -- Substring search on "<id> <name>" (folded): a trigram index, so a 3+ character query is an
    -- index lookup instead of a scan of every tenant. rowid = inventory_tenants.rowid.
    CREATE VIRTUAL TABLE inventory_search USING fts5(hay, tokenize='trigram');

    CREATE TABLE inventory_secrets (
      tenant_id       TEXT NOT NULL REFERENCES inventory_tenants(tenant_id) ON DELETE CASCADE,
      path            TEXT NOT NULL,
      type            TEXT NOT NULL,
      name            TEXT NOT NULL,
      -- active | expired | revoked | unknown (metadata missing or malformed; see problem)
      status          TEXT NOT NULL,
      last_rotated    TEXT,
      -- ms since epoch, so "due within N days" is a range scan with bound parameters
      next_rotation   INTEGER,
      current_version INTEGER NOT NULL,
      updated_time    TEXT NOT NULL,
      metadata_json   TEXT NOT NULL,
      versions_json   TEXT NOT NULL,
      problem         TEXT,
      PRIMARY KEY (tenant_id, path)
    ) STRICT;
    -- "due within N days" for a tenant whose earliest rotation is already overdue: a range
    -- lookup inside that tenant
    CREATE INDEX inventory_secrets_tenant_next ON inventory_secrets(tenant_id, status, next_rotation, type);

    CREATE TABLE inventory_sync_runs (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      mount       TEXT NOT NULL,
      mode        TEXT NOT NULL,
      started_at  TEXT NOT NULL,
      finished_at TEXT,
      -- running | done | cancelled | failed | interrupted (the process died mid-run)
      outcome     TEXT NOT NULL,
      total       INTEGER NOT NULL DEFAULT 0,
      scanned     INTEGER NOT NULL DEFAULT 0,
      unchanged   INTEGER NOT NULL DEFAULT 0,
      removed     INTEGER NOT NULL DEFAULT 0,
      problems    INTEGER NOT NULL DEFAULT 0,
      requests    INTEGER NOT NULL DEFAULT 0,
      error       TEXT
    ) STRICT;
  `);
}

// Migration "inventory accent-insensitive search": the folded copies (id_fold, name_fold)
// and the trigram index were made with case folding only; fold them again without accents,
// so "cafe" finds "Café" in an index synced before this version (no resync needed).
export function refoldInventorySearch(db: Database.Database): void {
  const rows = db.prepare('SELECT rowid AS id, tenant_id, name FROM inventory_tenants').all() as Array<{ id: number; tenant_id: string; name: string }>;
  const update = db.prepare('UPDATE inventory_tenants SET id_fold = @idFold, name_fold = @nameFold WHERE rowid = @id');
  const index = db.prepare('INSERT INTO inventory_search (rowid, hay) VALUES (@id, @hay)');
  db.prepare('DELETE FROM inventory_search').run();
  for (const r of rows) {
    update.run({ id: r.id, idFold: fold(r.tenant_id), nameFold: fold(r.name) });
    index.run({ id: r.id, hay: searchText(r.tenant_id, r.name) });
  }
}
