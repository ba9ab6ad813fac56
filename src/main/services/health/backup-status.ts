// What the dashboard needs to know about backups. The backup feature owns the
// catalog and implements this interface; until it does, the null source below
// makes both backup cards red ("no backup recorded"), never a hopeful green.

export interface BackupStatus {
  /** When the last backup that completed and was verified finished; null when none ever did. */
  lastSuccessAt: Date | null;
  /** True when the most recent attempt (scheduled or forced) failed. */
  lastAttemptFailed: boolean;
  /** Whether versioning is on for the backup bucket; null when it could not be checked. */
  bucketVersioning: boolean | null;
}

export interface BackupStatusSource {
  /** The current backup status, or null when no backup has ever been recorded. */
  read(): Promise<BackupStatus | null>;
}

/** The default until the backup catalog exists: nothing recorded. */
export class NoBackupStatusSource implements BackupStatusSource {
  async read(): Promise<BackupStatus | null> {
    return null;
  }
}

/** What the CLI and the app use unless given another source (the backup feature replaces this). */
export function defaultBackupStatusSource(): BackupStatusSource {
  return new NoBackupStatusSource();
}
