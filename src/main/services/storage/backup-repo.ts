// SQL for the backup catalog. Rows are facts about backups, never their contents.
import type { SqlDatabase } from './database';

export type BackupKind = 'raft' | 'logical';
export type BackupStatus = 'running' | 'completed' | 'failed' | 'deleted';

export interface BackupRecord {
  id: string;
  kind: BackupKind;
  status: BackupStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  bucket: string;
  objectKey: string;
  versionId: string | null;
  actor: string;
  mount: string | null;
  itemCount: number | null;
  error: string | null;
  verifiedAt: string | null;
  deletedAt: string | null;
}

interface Row {
  id: string;
  kind: BackupKind;
  status: BackupStatus;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  size_bytes: number | null;
  sha256: string | null;
  bucket: string;
  object_key: string;
  version_id: string | null;
  actor: string;
  mount: string | null;
  item_count: number | null;
  error: string | null;
  verified_at: string | null;
  deleted_at: string | null;
}

const toRecord = (r: Row): BackupRecord => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  durationMs: r.duration_ms,
  sizeBytes: r.size_bytes,
  sha256: r.sha256,
  bucket: r.bucket,
  objectKey: r.object_key,
  versionId: r.version_id,
  actor: r.actor,
  mount: r.mount,
  itemCount: r.item_count,
  error: r.error,
  verifiedAt: r.verified_at,
  deletedAt: r.deleted_at,
});

export class BackupRepo {
  constructor(private readonly db: SqlDatabase) {}

  /** Inserts or replaces a record (local runs and manifests read back from S3 alike). */
  upsert(r: BackupRecord): void {
    this.db
      .prepare(
        `INSERT INTO backups (id, kind, status, started_at, finished_at, duration_ms, size_bytes, sha256, bucket, object_key, version_id, actor, mount, item_count, error, verified_at, deleted_at)
         VALUES (@id, @kind, @status, @startedAt, @finishedAt, @durationMs, @sizeBytes, @sha256, @bucket, @objectKey, @versionId, @actor, @mount, @itemCount, @error, @verifiedAt, @deletedAt)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at,
           duration_ms = excluded.duration_ms, size_bytes = excluded.size_bytes, sha256 = excluded.sha256, bucket = excluded.bucket, object_key = excluded.object_key,
           version_id = excluded.version_id, actor = excluded.actor, mount = excluded.mount, item_count = excluded.item_count, error = excluded.error,
           verified_at = COALESCE(excluded.verified_at, backups.verified_at), deleted_at = COALESCE(excluded.deleted_at, backups.deleted_at)`,
      )
      .run(r);
  }

  get(id: string): BackupRecord | null {
    const row = this.db.prepare('SELECT * FROM backups WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Newest first; deleted backups are history, not restore points, and are left out. */
  recent(limit = 30): BackupRecord[] {
    return (this.db.prepare("SELECT * FROM backups WHERE status != 'deleted' ORDER BY started_at DESC, id DESC LIMIT ?").all(limit) as Row[]).map(toRecord);
  }

  lastAttempt(): BackupRecord | null {
    const row = this.db.prepare("SELECT * FROM backups WHERE status IN ('completed', 'failed') ORDER BY started_at DESC, id DESC LIMIT 1").get() as Row | undefined;
    return row ? toRecord(row) : null;
  }

  lastSuccess(): BackupRecord | null {
    const row = this.db.prepare("SELECT * FROM backups WHERE status = 'completed' ORDER BY started_at DESC, id DESC LIMIT 1").get() as Row | undefined;
    return row ? toRecord(row) : null;
  }

  lastVerified(): BackupRecord | null {
    const row = this.db.prepare('SELECT * FROM backups WHERE verified_at IS NOT NULL ORDER BY verified_at DESC LIMIT 1').get() as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Completed or failed backups started before the cutoff (ISO time). */
  olderThan(cutoffIso: string): BackupRecord[] {
    return (this.db.prepare("SELECT * FROM backups WHERE status IN ('completed', 'failed') AND started_at < ? ORDER BY started_at").all(cutoffIso) as Row[]).map(toRecord);
  }

  markVerified(id: string, at: string): void {
    this.db.prepare('UPDATE backups SET verified_at = ? WHERE id = ?').run(at, id);
  }

  /** Runs this process did not finish (crash, restart): failed, with the reason. Returns how many. */
  markInterrupted(at: string): number {
    return this.db.prepare("UPDATE backups SET status = 'failed', finished_at = ?, error = 'Interrupted: the console stopped before the backup finished.' WHERE status = 'running'").run(at).changes;
  }

  markDeleted(id: string, at: string): void {
    this.db.prepare("UPDATE backups SET status = 'deleted', deleted_at = ? WHERE id = ?").run(at, id);
  }
}
