// The spec's quick actions on the health dashboard: "Force Backup Now" (the same
// backup as the Backups view, with its progress) and "View Backup History" (the
// Backups view). A disabled Force Backup Now says why, next to it (the same gate as the
// Backups view's button: the exact paths a backup touches).
import { useEffect } from 'react';
import { GatedButton } from '../../../components/GatedButton';
import { useNavigation } from '../../../lib/navigation';
import { useBackupsStore } from '../../backups/store';
import { useSessionStore } from '../../session/store';
import { useHealthStore } from '../store';

export function QuickActions() {
  const signedIn = useSessionStore((s) => s.info?.signedIn ?? false);
  const settings = useBackupsStore((s) => s.settings);
  const running = useBackupsStore((s) => s.running);
  const progress = useBackupsStore((s) => s.progress);
  const notice = useBackupsStore((s) => s.notice);
  const error = useBackupsStore((s) => s.error);
  const go = useNavigation((s) => s.go);

  useEffect(() => {
    void useBackupsStore.getState().load();
    return useBackupsStore.getState().listen();
  }, [signedIn]);

  // Reasons of the view's own; the permission's reason comes from the gate.
  const blocked = !signedIn
    ? 'Sign in to back up.'
    : settings === null
      ? 'Checking the backup settings…'
      : !settings.configured
        ? 'Backups are not configured: set the S3 bucket in Backups → Settings.'
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
        <GatedButton gate={signedIn ? { action: 'backup.run', kind: 'auto' } : null} blocked={blocked} inactive={running} className="primary" onClick={() => void backupNow()} testId="health-force-backup">
          {running ? 'Backing up…' : 'Force Backup Now'}
        </GatedButton>
        {/* Opens another view; touches nothing in Vault. */}
        <GatedButton gate={null} onClick={() => go('backups')} testId="health-backup-history">
          View Backup History
        </GatedButton>
      </div>
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
