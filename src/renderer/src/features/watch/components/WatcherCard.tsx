import { useEffect } from 'react';
import { StatusCard } from '../../health/components/StatusCard';
import { useProfilesStore } from '../../profiles/store';
import { useSessionStore } from '../../session/store';
import { useWatchStore, watcherCard } from '../store';

/** Whether an ops-host watcher (`vault-console watch`) reports for this cluster. */
export function WatcherCard() {
  const { status, error, start, refresh } = useWatchStore();
  // The heartbeats need a session and belong to one cluster: ask again on sign-in and on a switch.
  const signedIn = useSessionStore((s) => s.info?.signedIn ?? false);
  const activeId = useProfilesStore((s) => s.activeId);
  useEffect(() => start(), [start]);
  useEffect(() => {
    void refresh();
  }, [refresh, signedIn, activeId]);
  const view = watcherCard(status, error);
  return (
    <StatusCard title="Ops-host watcher" testId="card-watcher" tone={view.tone} value={view.value} detail={view.detail ?? undefined} unavailable={view.unavailable}>
      {status && status.watchers.length > 0 && (
        <ul className="ha-nodes" data-testid="watchers">
          {status.watchers.slice(0, 5).map((w) => (
            <li key={w.id} data-testid="watcher" data-stale={w.stale ? 'true' : 'false'}>
              <code>{w.host}</code> <span className={w.stale ? 'role' : 'role active'}>{w.stale ? 'not seen' : 'running'}</span>
            </li>
          ))}
        </ul>
      )}
    </StatusCard>
  );
}
