// The backup catalog as the daily timer leaves it: manifests in S3, read into the
// watcher's catalog with the backup feature's own sync. Two conditions: the last
// attempt failed, or the store cannot be read for longer than a grace period (a
// backup cannot succeed either then); and no successful backup for more than 24 h.
import { AppError } from '../../../shared/errors';
import type { BackupService } from '../backup/backup-service';
import type { Logger } from '../log/logger';
import type { BackupRepo } from '../storage/backup-repo';
import type { Clock } from '../time/clock';
import type { Pager } from './pager';
import type { WatchConfig } from './watch-config';
import type { WatchMetrics } from './watch-metrics';

export interface BackupWatchDeps {
  /** null: no bucket configured; backups are not watched. */
  backup: BackupService | null;
  repo: BackupRepo;
  bucket: string | null;
  pager: Pager;
  metrics: WatchMetrics;
  clock: Clock;
  log: Logger;
  config: Pick<WatchConfig, 'backupMaxAgeMs' | 'backupGraceMs' | 'severities'>;
}

export class BackupWatch {
  private failingSince: number | null = null;
  private lastError: string | null = null;
  private readOnce = false;
  private seen = new Set<string>();

  constructor(private readonly deps: BackupWatchDeps) {
    // Records already in the catalog were observed by an earlier run.
    for (const r of deps.repo.recent(1000)) this.seen.add(`${r.id}:${r.status}`);
    if (!deps.backup) deps.metrics.backupCatalog({ configured: false, up: false, lastSuccessMs: null, lastAttemptFailed: null });
  }

  async check(): Promise<void> {
    const { backup, repo, pager, metrics, clock, log, config } = this.deps;
    if (!backup) return;
    const now = clock.now();
    let up = true;
    try {
      await backup.sync();
      this.readOnce = true;
      if (this.failingSince !== null) log.info('backup catalog readable again');
      this.failingSince = null;
      this.lastError = null;
    } catch (err) {
      up = false;
      metrics.error('backup');
      const why = err instanceof AppError ? err.message : 'the backup store cannot be read';
      if (this.failingSince === null) log.warn(`backup catalog unreadable: ${why}`);
      this.failingSince ??= now;
      this.lastError = why;
    }
    for (const r of repo.recent(50)) {
      const k = `${r.id}:${r.status}`;
      if (this.seen.has(k) || (r.status !== 'completed' && r.status !== 'failed')) continue;
      this.seen.add(k);
      metrics.backupSeen({ status: r.status, durationMs: r.durationMs });
    }
    const last = repo.lastAttempt();
    const ok = repo.lastSuccess();
    const lastSuccessMs = ok?.finishedAt ? Date.parse(ok.finishedAt) : null;
    metrics.backupCatalog({ configured: true, up, lastSuccessMs, lastAttemptFailed: last ? last.status === 'failed' : null });

    const details = { bucket: this.deps.bucket, last_success_at: ok?.finishedAt ?? null, catalog_readable: up };
    if (last && last.status === 'failed') {
      pager.observe({
        condition: 'backup-failed',
        active: true,
        severity: config.severities['backup-failed'],
        summary: `Backup ${last.id} failed: ${(last.error ?? 'no reason recorded').slice(0, 300)}`,
        details: { ...details, backup_id: last.id, started_at: last.startedAt, error: last.error?.slice(0, 300) ?? null },
        view: 'backups',
      });
    } else if (!up && this.failingSince !== null && now - this.failingSince >= config.backupGraceMs) {
      pager.observe({
        condition: 'backup-failed',
        active: true,
        severity: config.severities['backup-failed'],
        summary: `Backups are failing: the backup store cannot be read (${this.lastError ?? 'error'})`,
        details: { ...details, unreadable_since: new Date(this.failingSince).toISOString(), error: this.lastError },
        view: 'backups',
      });
    } else if (up) {
      pager.observe({ condition: 'backup-failed', active: false });
    }

    // Without one good read of the catalog, "how old is the last backup" is unknown.
    if (!this.readOnce && repo.lastAttempt() === null) return;
    const ageMs = lastSuccessMs === null ? null : now - lastSuccessMs;
    const stale = ageMs === null || ageMs > config.backupMaxAgeMs;
    if (stale) {
      const hours = ageMs === null ? null : Math.round((ageMs / 3_600_000) * 10) / 10;
      pager.observe({
        condition: 'backup-stale',
        active: true,
        severity: config.severities['backup-stale'],
        summary: hours === null ? 'No successful Vault backup is recorded' : `The last successful Vault backup is ${hours} h old (limit ${config.backupMaxAgeMs / 3_600_000} h)`,
        details: { ...details, age_hours: hours, max_age_hours: config.backupMaxAgeMs / 3_600_000 },
        view: 'backups',
      });
    } else {
      pager.observe({ condition: 'backup-stale', active: false });
    }
  }
}
