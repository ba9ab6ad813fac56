import { useEffect } from 'react';
import { formatClock, sealView, useHealthStore } from '../store';
import { StatusCard } from './StatusCard';

interface Props {
  refreshMs: number;
}

export function HealthView({ refreshMs }: Props) {
  const { status, error, loading, lastUpdated, refresh, start } = useHealthStore();

  useEffect(() => start(refreshMs), [start, refreshMs]);

  const seal = sealView(status, error);
  const live = status?.reachable && !error ? status : null;
  const showUnseal = live !== null && live.initialized && live.sealed;
  // A sealed node serves nothing, so its active/standby role is not shown as healthy.
  const serving = live !== null && !live.sealed ? live : null;

  return (
    <div className="view" data-testid="health-view">
      <div className="view-header">
        <h1>Vault Health</h1>
        <div className="view-actions">
          <span className="muted" data-testid="last-updated" aria-live="polite">
            {lastUpdated ? `Last updated ${formatClock(lastUpdated)}` : 'Not checked yet'}
          </span>
          <button type="button" onClick={() => void refresh()} disabled={loading} data-testid="refresh">
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>

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
          title="Version"
          testId="card-version"
          tone="neutral"
          value={live ? live.version : '—'}
        />
        <StatusCard
          title="Cluster"
          testId="card-cluster"
          tone="neutral"
          value={live?.clusterName || '—'}
          detail={live?.clusterId ? <code>{live.clusterId}</code> : undefined}
        />
        <StatusCard
          title="Node"
          testId="card-node"
          tone={serving && !serving.standby ? 'green' : 'neutral'}
          value={serving ? (serving.standby ? 'Standby' : 'Active') : '—'}
          detail={status?.address}
        />
      </div>
    </div>
  );
}
