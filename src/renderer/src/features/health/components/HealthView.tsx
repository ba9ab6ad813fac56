import { useEffect } from 'react';
import { sealView, useHealthStore } from '../store';
import { Time } from '../../../lib/Time';
import { BreakGlassPanel } from './BreakGlassPanel';
import { MetricsChart } from './MetricsChart';
import { QuickActions } from './QuickActions';
import { StatusCard } from './StatusCard';
import { WatcherCard } from '../../watch/components/WatcherCard';

interface Props {
  refreshMs: number;
}

export function HealthView({ refreshMs }: Props) {
  const { snapshot, status, error, loading, lastUpdated, refresh, start } = useHealthStore();

  useEffect(() => start(refreshMs), [start, refreshMs]);

  const seal = sealView(status, error);
  const live = status?.reachable && !error ? status : null;
  const showUnseal = live !== null && live.initialized && live.sealed;
  // Cards other than the seal come from the last snapshot; a failed poll empties it.
  const snap = error ? null : snapshot;
  const node = snap?.node;
  const storage = snap?.storage;
  const backup = snap?.backup;
  const audit = snap?.audit;
  const signedOut = snap !== null && snap !== undefined && !snap.signedIn;

  return (
    <div className="view" data-testid="health-view">
      <div className="view-header">
        <h1>Vault Health</h1>
        <div className="view-actions">
          <span className="muted" data-testid="last-updated" aria-live="polite">
            {lastUpdated ? (
              <>
                Last updated <Time value={lastUpdated} />
              </>
            ) : (
              'Not checked yet'
            )}
          </span>
          <button type="button" onClick={() => void refresh()} disabled={loading} data-testid="refresh">
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      {signedOut && live && (
        <p className="notice" data-testid="health-sign-in-for-more">
          Signed out: showing what Vault answers without a token (seal, leader, storage type). Sign in for more.
        </p>
      )}

      <div className="cards">
        <StatusCard title="Vault Seal Status" testId="card-seal" tone={seal.tone} value={seal.label} detail={seal.detail} />
        {showUnseal && (
          <StatusCard
            title="Unseal progress"
            testId="card-unseal"
            tone="amber"
            value={`${live.unseal.progress} of ${live.unseal.threshold}`}
            detail={`${live.unseal.threshold} of ${live.unseal.shares} key shares are needed.`}
          />
        )}
        <StatusCard
          title="Active Node"
          testId="card-node"
          tone={node ? node.tone : error ? 'red' : 'neutral'}
          value={node && live && !showUnseal ? node.label : '—'}
          detail={node?.detail ?? status?.address}
          unavailable={node?.unavailable}
        >
          {node && node.nodes.length > 0 && (
            <ul className="ha-nodes" data-testid="ha-nodes">
              {node.nodes.map((n) => (
                <li key={n.apiAddress || n.hostname} data-testid="ha-node" data-active={n.active ? 'true' : 'false'}>
                  <code>{n.apiAddress || n.hostname}</code> <span className={n.active ? 'role active' : 'role'}>{n.active ? 'active' : 'standby'}</span>
                </li>
              ))}
            </ul>
          )}
        </StatusCard>
        <StatusCard
          title="Storage Backend"
          testId="card-storage"
          tone={storage ? storage.tone : error ? 'red' : 'neutral'}
          value={storage ? storage.label : error ? 'Unreachable' : '—'}
          detail={storage?.detail ?? undefined}
          unavailable={storage?.unavailable}
        />
        <StatusCard
          title="Last Backup"
          testId="card-last-backup"
          tone={backup ? backup.lastBackup.tone : 'neutral'}
          value={backup ? backup.lastBackup.label : '—'}
          detail={backup?.lastBackup.at ? <Time value={backup.lastBackup.at} /> : (backup?.lastBackup.detail ?? undefined)}
        />
        <StatusCard
          title="Backup Health"
          testId="card-backup-health"
          tone={backup ? backup.health.tone : 'neutral'}
          value={backup ? backup.health.label : '—'}
          detail={backup?.health.detail ?? undefined}
          unavailable={backup?.health.unavailable}
        />
        <StatusCard
          title="Audit Devices"
          testId="card-audit"
          tone={audit ? audit.tone : 'neutral'}
          value={audit ? audit.label : '—'}
          detail={audit?.detail ?? undefined}
          unavailable={audit?.unavailable}
        />
        <StatusCard title="Version" testId="card-version" tone="neutral" value={live ? live.version : '—'} />
        <StatusCard
          title="Cluster"
          testId="card-cluster"
          tone="neutral"
          value={live?.clusterName || '—'}
          detail={live?.clusterId ? <code>{live.clusterId}</code> : undefined}
        />
        <WatcherCard />
      </div>

      <QuickActions />
      {live && live.initialized && <BreakGlassPanel status={live} signedIn={snap?.signedIn ?? false} />}
      <MetricsChart />
    </div>
  );
}
