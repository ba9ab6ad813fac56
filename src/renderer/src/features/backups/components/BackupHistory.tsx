import type { BackupView } from '../../../../../shared/contract';
import { GatedButton } from '../../../components/GatedButton';
import { formatBytes, formatDuration } from '../store';
import { Time } from '../../../lib/Time';

export function BackupHistory({ backups, onRestore }: { backups: BackupView[]; onRestore: (b: BackupView) => void }) {
  if (backups.length === 0) {
    return (
      <p className="muted" data-testid="backup-history-empty">
        No backups yet.
      </p>
    );
  }
  return (
    <table className="data backup-history" data-testid="backup-history">
      <caption className="muted small">The last {backups.length} backups, newest first</caption>
      <thead>
        <tr>
          <th>Time</th>
          <th>Kind</th>
          <th>Status</th>
          <th className="num">Size</th>
          <th>Checksum (SHA-256)</th>
          <th>By</th>
          <th className="num">Duration</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {backups.map((b) => (
          <tr key={b.id} data-testid={`backup-row-${b.id}`} data-status={b.status}>
            <td>
              <Time value={b.startedAt} />
            </td>
            <td>{b.kind === 'raft' ? 'Raft snapshot' : `Logical (${b.itemCount ?? 0} secrets)`}</td>
            <td className={`backup-status-${b.status}`}>
              {b.status}
              {b.error ? <span className="small error"> {b.error}</span> : null}
              {b.verifiedAt ? <span className="small muted"> · verified</span> : null}
            </td>
            <td className="num">{formatBytes(b.sizeBytes)}</td>
            <td className="mono small" title={b.sha256 ?? ''}>
              {b.sha256 ? `${b.sha256.slice(0, 16)}…` : '—'}
            </td>
            <td>{b.actor}</td>
            <td className="num">{formatDuration(b.durationMs)}</td>
            <td>
              {b.status === 'completed' && (
                <GatedButton gate={{ action: 'backup.restore', scope: b.kind === 'raft' ? 'raft' : 'mount' }} onClick={() => onRestore(b)} testId={`backup-restore-${b.id}`}>
                  Restore…
                </GatedButton>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
