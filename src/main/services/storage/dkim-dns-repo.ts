// What the DKIM DNS check keeps locally: the resolvers of each connection profile
// (connection_profiles.dns_resolvers, migration 10), and which DKIM keys the inventory's
// index saw in a rotation grace period (the scheduled re-check's candidates). The DNS
// state itself is shared between admins and lives in Vault, not here.
import type { SqlDatabase } from './database';

export class DkimDnsRepo {
  constructor(private readonly db: SqlDatabase) {}

  /** null: the profile has no list of its own (or does not exist). */
  resolvers(profileId: string): string[] | null {
    const row = this.db.prepare('SELECT dns_resolvers FROM connection_profiles WHERE id = ?').get(profileId) as { dns_resolvers: string | null } | undefined;
    if (!row?.dns_resolvers) return null;
    try {
      const list = JSON.parse(row.dns_resolvers) as unknown;
      return Array.isArray(list) && list.every((x) => typeof x === 'string') ? (list as string[]) : null;
    } catch {
      return null;
    }
  }

  /** Returns false when the profile does not exist. An empty list clears it. */
  setResolvers(profileId: string, list: readonly string[]): boolean {
    const value = list.length > 0 ? JSON.stringify(list) : null;
    return this.db.prepare('UPDATE connection_profiles SET dns_resolvers = ? WHERE id = ?').run(value, profileId).changes > 0;
  }

  /** The profile whose address is this one (the CLI finds the app's settings by VAULT_ADDR). */
  profileIdByAddress(address: string): string | null {
    const row = this.db.prepare('SELECT id FROM connection_profiles WHERE address = ? ORDER BY updated_at DESC LIMIT 1').get(address) as { id: string } | undefined;
    return row?.id ?? null;
  }

  /** DKIM keys whose metadata (as last indexed) has a grace end: in grace or waiting for DNS. */
  /** The DKIM domains the index knows for a tenant (the paths a DNS check will touch). */
  dkimDomains(tenantId: string): string[] {
    const prefix = `${tenantId}/dkim/`;
    return (
      this.db.prepare("SELECT path FROM inventory_secrets WHERE type = 'dkim' AND substr(path, 1, ?) = ? ORDER BY path").all(prefix.length, prefix) as Array<{ path: string }>
    ).map((r) => r.path.slice(prefix.length));
  }

  dkimInGrace(): string[] {
    return (
      this.db
        .prepare(
          `SELECT path FROM inventory_secrets
           WHERE type = 'dkim' AND json_extract(metadata_json, '$.grace_until') IS NOT NULL
           ORDER BY path`,
        )
        .all() as Array<{ path: string }>
    ).map((r) => r.path);
  }

  /** A rotation job's finished DKIM items with the version each wrote; null when there is no such job. */
  jobDkimItems(jobId: string): Array<{ path: string; version: number | null }> | null {
    if (!this.db.prepare('SELECT 1 FROM rotation_jobs WHERE id = ?').get(jobId)) return null;
    return (
      this.db
        .prepare("SELECT path, new_version FROM rotation_job_items WHERE job_id = ? AND state = 'done' AND path LIKE '%/dkim/%' ORDER BY seq")
        .all(jobId) as Array<{ path: string; new_version: number | null }>
    ).map((r) => ({ path: r.path, version: r.new_version }));
  }
}
