// Read side for the SOC 2 report (issue 15) outside the audit store: every indexed secret's
// rotation facts (the inventory index is a copy of Vault's metadata, never a value) and the
// backup catalog's runs and drills in a period. Read-only.
import type { SqlDatabase } from './database';

export interface RotationFactsRow {
  path: string;
  type: string;
  status: string;
  lastRotated: string | null;
  /** custom_metadata rotation_days as indexed ("" when absent). */
  rotationDays: string | null;
  /** [{version, createdTime, deletionTime, destroyed}] as indexed. */
  versionsJson: string;
}

export interface BackupRunRow {
  id: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  sha256: string | null;
  verifiedAt: string | null;
}

export class ComplianceQueries {
  constructor(private readonly db: SqlDatabase) {}

  /** The mount the inventory index holds and when its last complete sync ended; null: never synced. */
  indexState(): { mount: string; finishedAt: string | null } | null {
    const r = this.db.prepare("SELECT mount, finished_at FROM inventory_sync_runs WHERE outcome = 'done' ORDER BY id DESC LIMIT 1").get() as { mount: string; finished_at: string | null } | undefined;
    return r ? { mount: r.mount, finishedAt: r.finished_at } : null;
  }

  /** Rotation facts of every indexed secret of the given types, by path. */
  *rotationFacts(types: readonly string[]): Generator<RotationFactsRow> {
    const stmt = this.db.prepare(
      `SELECT path, type, status, last_rotated, json_extract(metadata_json, '$.rotation_days') AS rotation_days, versions_json
       FROM inventory_secrets WHERE type IN (SELECT value FROM json_each(?)) ORDER BY path`,
    );
    for (const r of stmt.iterate(JSON.stringify(types)) as Iterable<{ path: string; type: string; status: string; last_rotated: string | null; rotation_days: string | null; versions_json: string }>) {
      yield { path: r.path, type: r.type, status: r.status, lastRotated: r.last_rotated, rotationDays: r.rotation_days, versionsJson: r.versions_json };
    }
  }

  /** Backup runs started in [from, to] (ISO), oldest first, and drills verified in it. */
  backupRuns(fromIso: string, toIso: string): BackupRunRow[] {
    return (
      this.db
        .prepare('SELECT id, status, started_at, finished_at, sha256, verified_at FROM backups WHERE started_at >= ? AND started_at <= ? ORDER BY started_at, id')
        .all(fromIso, toIso) as Array<{ id: string; status: string; started_at: string; finished_at: string | null; sha256: string | null; verified_at: string | null }>
    ).map((r) => ({ id: r.id, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, sha256: r.sha256, verifiedAt: r.verified_at }));
  }

  drillsBetween(fromIso: string, toIso: string): Array<{ id: string; verifiedAt: string }> {
    return (this.db.prepare('SELECT id, verified_at FROM backups WHERE verified_at IS NOT NULL AND verified_at >= ? AND verified_at <= ? ORDER BY verified_at, id').all(fromIso, toIso) as Array<{ id: string; verified_at: string }>).map((r) => ({
      id: r.id,
      verifiedAt: r.verified_at,
    }));
  }
}
