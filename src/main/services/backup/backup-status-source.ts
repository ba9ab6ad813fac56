// The health dashboard's view of the backup catalog (Last Backup and Backup Health cards).
import type { BackupStatus, BackupStatusSource } from '../health/backup-status';
import type { Clock } from '../time/clock';
import type { BackupService } from './backup-service';

/** The dashboard polls every few seconds; S3 (manifests, versioning) is asked at most this often. */
export const STATUS_TTL_MS = 30_000;

type StatusWithVerified = BackupStatus & { lastVerifiedAt: Date | null };

export class CatalogBackupStatusSource implements BackupStatusSource {
  private cached: { at: number; revision: number; value: StatusWithVerified | null } | null = null;

  constructor(
    private readonly backups: BackupService,
    private readonly clock: Clock,
  ) {}

  /** Also carries lastVerifiedAt (last verified restorable) for a dashboard that shows it. */
  async read(): Promise<StatusWithVerified | null> {
    const now = this.clock.now();
    const c = this.cached;
    if (c && c.revision === this.backups.revision && now - c.at < STATUS_TTL_MS) return c.value;
    let value: StatusWithVerified | null;
    try {
      value = await this.backups.status();
    } catch {
      // Not configured: nothing recorded, which the dashboard shows red.
      value = null;
    }
    this.cached = { at: now, revision: this.backups.revision, value };
    return value;
  }
}
