// The spec's quick actions on the health dashboard: "Force Backup Now" (the same
// backup as the Backups view, with its progress) and "View Backup History" (the
// Backups view). A disabled Force Backup Now says why, next to it.
import { useEffect } from 'react';
import { useNavigation } from '../../../lib/navigation';
import { useBackupsStore } from '../../backups/store';
import { useCan, useSessionStore } from '../../session/store';
import { useHealthStore } from '../store';

export function QuickActions() {
  const signedIn = useSessionStore((s) => s.info?.signedIn ?? false);
  const settings = useBackupsStore((s) => s.settings);
  const running = useBackupsStore((s) => s.running);
  const progress = useBackupsStore((s) => s.progress);
  const notice = useBackupsStore((s) => s.notice);
  const error = useBackupsStore((s) => s.error);
  const can = useCan('backup.snapshot');
  const go = useNavigation((s) => s.go);

  useEffect(() => {
    void useBackupsStore.getState().load();
    return useBackupsStore.getState().listen();
  }, [signedIn]);

  const reason = !signedIn
    ? 'Sign in to back up.'
    : settings === null
      ? 'Checking the backup settings…'
      : !settings.configured
        ? 'Backups are not configured: set the S3 bucket in Backups → Settings.'
        : !can.allowed
          ? can.reason
          : null;

  const backupNow = async () => {
    await useBackupsStore.getState().runNow();
    // The Last Backup and Backup Health cards follow at once, not at the next poll.
    void useHealthStore.getState().refresh();
  };

  return (
    <section className="card quick-actions" aria-labelledby="quick-actions-title" data-testid="health-quick-actions">
      <h2 id="quick-actions-title">Quick actions</h2>
      <div className="quick-actions-row">
        <button type="button" className="primary" disabled={reason !== null || running} aria-describedby={reason ? 'force-backup-reason' : undefined} onClick={() => void backupNow()} data-testid="health-force-backup">
          {running ? 'Backing up…' : 'Force Backup Now'}
        </button>
        <button type="button" onClick={() => go('backups')} data-testid="health-backup-history">
          View Backup History
        </button>
      </div>
      {reason && (
        <p id="force-backup-reason" className="muted small" data-testid="health-force-backup-reason">
          {reason}
        </p>
      )}
      {running && progress && (
        <p className="small" aria-live="polite" data-testid="health-backup-progress">
          {progress.phase}
          {progress.message ? ` · ${progress.message}` : ''}
        </p>
      )}
      {!running && notice && (
        <p className="small" role="status" data-testid="health-backup-notice">
          {notice}
        </p>
      )}
      {!running && error && (
        <p className="error small" role="alert" data-testid="health-backup-error">
          {error}
        </p>
      )}
    </section>
  );
}
