// SQL for bulk rotation jobs (schema/rotation.ts). A running job records item outcomes in
// small batches (one transaction every ~100 ms, see job-journal.ts); a crash can lose the
// last batch, and those items are reconciled from Vault on resume (each rotation carries
// its job and item in rotation_id). Statements are prepared once.
import type { Statement } from 'better-sqlite3';
import type { SqlDatabase } from './database';

export type ItemState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export type JobRowStatus = 'running' | 'paused' | 'interrupted' | 'cancelled' | 'completed';

export interface JobRow {
  id: string;
  kind: 'all' | 'overdue' | 'reschedule' | 'incident';
  label: string;
  selection_json: string;
  mount: string;
  status: JobRowStatus;
  pause_reason: string | null;
  actor: string;
  reason: string;
  concurrency: number;
  fail_threshold: number;
  total: number;
  created_at: string;
  finished_at: string | null;
  /** The incident an incident-response job was started under (migration 19); null for other jobs. */
  incident_id: string | null;
}

export interface ItemRow {
  job_id: string;
  seq: number;
  tenant_id: string;
  path: string;
  base_version: number;
  state: ItemState;
  attempts: number;
  new_version: number | null;
  error_code: string | null;
  error: string | null;
  finished_at: string | null;
}

export interface NewItem {
  tenantId: string;
  path: string;
  baseVersion: number;
}

export interface JobCounts {
  pending: number;
  running: number;
  done: number;
  failed: number;
  /** Skipped for any reason, "changed since preview" included. */
  skipped: number;
  /** Of the skipped: changed by someone else after the preview (error_code CHANGED_SINCE_PREVIEW). */
  changed: number;
}

/** The error code of an item skipped because someone else changed the secret after the preview. */
export const CHANGED_SINCE_PREVIEW = 'CHANGED_SINCE_PREVIEW';

/** One item outcome, as a running job records it. */
export interface ItemUpdate {
  seq: number;
  state: 'done' | 'failed' | 'skipped' | 'pending';
  at: string | null;
  newVersion?: number | null;
  code?: string | null;
  error?: string | null;
}

export class RotationRepo {
  private readonly statements = new Map<string, Statement>();
  constructor(private readonly db: SqlDatabase) {}

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  createJob(job: Omit<JobRow, 'finished_at' | 'pause_reason' | 'total' | 'incident_id'> & { incident_id?: string | null }, items: readonly NewItem[]): void {
    // incident_id (migration 19) only for incident jobs: other jobs insert as before.
    const incident = job.incident_id ? ', incident_id' : '';
    const insertJob = this.db.prepare(
      `INSERT INTO rotation_jobs (id, kind, label, selection_json, mount, status, actor, reason, concurrency, fail_threshold, total, created_at${incident})
       VALUES (@id, @kind, @label, @selection_json, @mount, @status, @actor, @reason, @concurrency, @fail_threshold, @total, @created_at${incident ? ', @incident_id' : ''})`,
    );
    const insertItem = this.db.prepare(
      `INSERT INTO rotation_job_items (job_id, seq, tenant_id, path, base_version, state) VALUES (?, ?, ?, ?, ?, 'pending')`,
    );
    this.db.transaction(() => {
      const { incident_id: incidentId, ...rest } = job;
      insertJob.run(incidentId ? { ...rest, incident_id: incidentId, total: items.length } : { ...rest, total: items.length });
      items.forEach((it, i) => insertItem.run(job.id, i + 1, it.tenantId, it.path, it.baseVersion));
    })();
  }

  job(id: string): JobRow | null {
    return (this.stmt('SELECT * FROM rotation_jobs WHERE id = ?').get(id) as JobRow | undefined) ?? null;
  }

  jobs(limit = 20): JobRow[] {
    return this.stmt('SELECT * FROM rotation_jobs ORDER BY created_at DESC, id DESC LIMIT ?').all(limit) as JobRow[];
  }

  setStatus(id: string, status: JobRowStatus, pauseReason: string | null, finishedAt: string | null = null): void {
    this.stmt('UPDATE rotation_jobs SET status = ?, pause_reason = ?, finished_at = ? WHERE id = ?').run(status, pauseReason, finishedAt, id);
  }

  /** Jobs left "running" by a process that ended without finishing them. */
  markInterrupted(): string[] {
    const ids = (this.stmt("SELECT id FROM rotation_jobs WHERE status = 'running'").all() as { id: string }[]).map((r) => r.id);
    if (ids.length > 0) this.stmt("UPDATE rotation_jobs SET status = 'interrupted', pause_reason = 'The console stopped during the job.' WHERE status = 'running'").run();
    return ids;
  }

  /** Items still to do, those that were in flight (state running) first. */
  openItems(jobId: string): ItemRow[] {
    return this
      .stmt("SELECT * FROM rotation_job_items WHERE job_id = ? AND state IN ('running', 'pending') ORDER BY CASE state WHEN 'running' THEN 0 ELSE 1 END, seq")
      .all(jobId) as ItemRow[];
  }

  markRunning(jobId: string, seq: number): void {
    this.stmt("UPDATE rotation_job_items SET state = 'running', attempts = attempts + 1 WHERE job_id = ? AND seq = ?").run(jobId, seq);
  }

  finishItem(jobId: string, seq: number, state: 'done' | 'failed' | 'skipped', at: string, r: { newVersion?: number | null; code?: string | null; error?: string | null }): void {
    this
      .stmt('UPDATE rotation_job_items SET state = ?, new_version = ?, error_code = ?, error = ?, finished_at = ? WHERE job_id = ? AND seq = ?')
      .run(state, r.newVersion ?? null, r.code ?? null, r.error ?? null, at, jobId, seq);
  }

  /**
   * Records a batch of item outcomes in one transaction. attempts counts the runs that
   * reached an outcome; "pending" puts an item back in the queue (Vault went away under it).
   */
  applyItemUpdates(jobId: string, updates: readonly ItemUpdate[]): void {
    if (updates.length === 0) return;
    const finish = this.stmt('UPDATE rotation_job_items SET state = ?, attempts = attempts + 1, new_version = ?, error_code = ?, error = ?, finished_at = ? WHERE job_id = ? AND seq = ?');
    const requeue = this.stmt("UPDATE rotation_job_items SET state = 'pending' WHERE job_id = ? AND seq = ?");
    this.db.transaction(() => {
      for (const u of updates) {
        if (u.state === 'pending') requeue.run(jobId, u.seq);
        else finish.run(u.state, u.newVersion ?? null, u.code ?? null, u.error ?? null, u.at, jobId, u.seq);
      }
    })();
  }

  /** Paused or interrupted jobs (the candidates for an automatic resume at sign-in). */
  unfinishedJobs(): JobRow[] {
    return this.stmt("SELECT * FROM rotation_jobs WHERE status IN ('interrupted', 'paused') ORDER BY created_at, id").all() as JobRow[];
  }

  /**
   * SSH keys and DKIM keys whose grace period ended by nowIso and that are not marked
   * retired, as the inventory's local index (schema/inventory.ts) last saw them. Read-only.
   */
  graceDue(nowIso: string): Array<{ path: string; graceUntil: string }> {
    return this.stmt(
      `SELECT path, json_extract(metadata_json, '$.grace_until') AS graceUntil FROM inventory_secrets
       WHERE type IN ('ssh', 'dkim')
         AND json_extract(metadata_json, '$.grace_until') IS NOT NULL
         AND coalesce(json_extract(metadata_json, '$.previous_status'), '') <> 'retired'
         AND julianday(json_extract(metadata_json, '$.grace_until')) <= julianday(?)
       ORDER BY path`,
    ).all(nowIso) as Array<{ path: string; graceUntil: string }>;
  }

  /** Failed items go back to pending when the user retries them with a resume. */
  requeueFailed(jobId: string): number {
    return this.stmt("UPDATE rotation_job_items SET state = 'pending', error_code = NULL, error = NULL WHERE job_id = ? AND state = 'failed'").run(jobId).changes;
  }

  counts(jobId: string): JobCounts {
    const rows = this
      .stmt('SELECT state, coalesce(error_code = ?, 0) AS changed, count(*) AS n FROM rotation_job_items WHERE job_id = ? GROUP BY state, changed')
      .all(CHANGED_SINCE_PREVIEW, jobId) as { state: ItemState; changed: number; n: number }[];
    const c: JobCounts = { pending: 0, running: 0, done: 0, failed: 0, skipped: 0, changed: 0 };
    for (const r of rows) {
      c[r.state] += r.n;
      if (r.state === 'skipped' && r.changed === 1) c.changed += r.n;
    }
    return c;
  }

  items(jobId: string, state: ItemState, limit = 1000): ItemRow[] {
    return this.stmt('SELECT * FROM rotation_job_items WHERE job_id = ? AND state = ? ORDER BY seq LIMIT ?').all(jobId, state, limit) as ItemRow[];
  }

  /** Skipped items, split into "changed since preview" and the others. */
  skippedItems(jobId: string, changed: boolean, limit = 1000): ItemRow[] {
    const op = changed ? '=' : 'IS NOT';
    return this
      .stmt(`SELECT * FROM rotation_job_items WHERE job_id = ? AND state = 'skipped' AND error_code ${op} ? ORDER BY seq LIMIT ?`)
      .all(jobId, CHANGED_SINCE_PREVIEW, limit) as ItemRow[];
  }
}
