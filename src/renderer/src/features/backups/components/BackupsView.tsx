import { useEffect, useState } from 'react';
import type { BackupView } from '../../../../../shared/contract';
import { GatedButton } from '../../../components/GatedButton';
import { formatBytes, useBackupsStore } from '../store';
import { Time } from '../../../lib/Time';
import { BackupHistory } from './BackupHistory';
import { BackupSettingsForm } from './BackupSettingsForm';
import { RestoreDialog } from './RestoreDialog';

export function BackupsView() {
  const s = useBackupsStore();
  const { load, listen } = s;
  const [restoring, setRestoring] = useState<BackupView | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [kind, setKind] = useState<'auto' | 'raft' | 'logical'>('auto');

  useEffect(() => {
    void load();
    return listen();
  }, [load, listen]);

  const configured = s.settings?.configured ?? false;
  const p = s.progress;
  return (
    <div className="view" data-testid="backups-view">
      <div className="view-header">
        <h1>Backups</h1>
        <div className="view-actions">
          <button type="button" onClick={() => setShowSettings((v) => !v)} data-testid="backup-settings-toggle">
            Settings
          </button>
          {s.running && (
            <button type="button" onClick={() => void s.cancel()} data-testid="backup-cancel">
              Cancel
            </button>
          )}
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)} aria-label="Backup kind" data-testid="backup-kind">
            <option value="auto">Automatic (raft snapshot when available)</option>
            <option value="raft">Raft snapshot</option>
            <option value="logical">Logical (tenants mount)</option>
          </select>
          <GatedButton
            gate={{ action: 'backup.run', kind }}
            blocked={s.settings && !configured ? 'Set the S3 bucket in Settings first.' : null}
            inactive={s.running}
            className="primary"
            onClick={() => void s.runNow(kind === 'auto' ? undefined : kind)}
            testId="backup-run"
          >
            {s.running ? 'Backing up…' : 'Force Backup Now'}
          </GatedButton>
        </div>
      </div>
      {s.settings && !configured && (
        <p className="muted small backup-run-reason" data-testid="backup-run-reason">
          Force Backup Now needs a destination: set the S3 bucket below.
        </p>
      )}
      {s.error && (
        <p className="error" role="alert" data-testid="backup-error">
          {s.error}
        </p>
      )}
      {s.notice && (
        <p className="notice success" role="status" data-testid="backup-notice">
          {s.notice}
        </p>
      )}
      {p && (s.running || p.operation === 'restore') && (
        <p className="backup-progress" aria-live="polite" data-testid="backup-progress">
          {p.operation} {p.id}: {p.phase}
          {p.bytes > 0 ? ` · ${formatBytes(p.bytes)}` : ''}
          {p.items > 0 ? ` · ${p.items} secrets` : ''}
          {p.message ? ` · ${p.message}` : ''}
        </p>
      )}
      {(!configured || showSettings) && s.settings && <BackupSettingsForm settings={s.settings} onSaved={() => setShowSettings(false)} />}
      {configured && s.policy && (
        <div className="cards backup-policy">
          <div className="card tone-neutral" data-testid="backup-retention">
            <p className="card-title">Retention</p>
            <p className="card-value">{s.policy.retentionDays} days</p>
            <p className="card-detail">
              {s.policy.lifecycleRules.length > 0
                ? `S3 lifecycle: ${s.policy.lifecycleRules.map((r) => `${r.id || 'rule'} expires after ${r.expirationDays ?? r.noncurrentDays} days`).join('; ')}`
                : 'Older backups are deleted by the console after each run.'}
            </p>
          </div>
          <div className="card tone-neutral" data-testid="backup-versioning">
            <p className="card-title">Bucket versioning</p>
            <p className="card-value">{s.policy.versioning === null ? 'Unknown' : s.policy.versioning ? 'On' : 'Off'}</p>
          </div>
          <div className="card tone-neutral" data-testid="backup-last-verified">
            <p className="card-title">Last verified restorable</p>
            <p className="card-value"><Time value={s.policy.lastVerifiedAt} fallback="Never" /></p>
            <p className="card-detail">{s.policy.lastVerifiedId ? `Drill on ${s.policy.lastVerifiedId}` : 'Run "vault-console backup verify" against a scratch server.'}</p>
          </div>
        </div>
      )}
      {configured && <BackupHistory backups={s.backups} onRestore={setRestoring} />}
      {restoring && <RestoreDialog backup={restoring} onClose={() => setRestoring(null)} />}
    </div>
  );
}
