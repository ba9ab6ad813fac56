// What the Health view's watcher card says about the heartbeats: pure, so the
// renderer shows it and tests check it without a window.
import type { WatchStatus } from '../contracts/watch';

export interface WatcherCardView {
  tone: 'green' | 'amber' | 'red' | 'neutral';
  value: string;
  detail: string | null;
  unavailable: string | null;
}

function ago(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

/** What the card says: a running watcher is green (amber with open pages); none seen for 5+ minutes warns. */
export function watcherCard(status: WatchStatus | null, error: string | null): WatcherCardView {
  if (error) return { tone: 'neutral', value: '—', detail: null, unavailable: error };
  if (!status) return { tone: 'neutral', value: '—', detail: null, unavailable: null };
  if (status.unavailable) return { tone: 'neutral', value: '—', detail: null, unavailable: status.unavailable };
  const newest = status.watchers[0];
  if (!newest) {
    return { tone: 'amber', value: 'No watcher', detail: 'No ops-host watcher (vault-console watch) has ever reported for this cluster: nobody is paged when Vault seals or backups fail.', unavailable: null };
  }
  if (status.stale) {
    return {
      tone: 'amber',
      value: `None seen for ${ago(newest.ageSeconds).replace(' ago', '')}`,
      detail: `No watcher has reported for more than ${status.staleAfterMinutes} minutes (last: ${newest.host}, ${ago(newest.ageSeconds)}). Pages may not be sent.`,
      unavailable: null,
    };
  }
  const live = status.watchers.filter((w) => !w.stale);
  const pages = newest.openPages.filter((p) => !p.silent);
  const pending = newest.outboxPending > 0 ? `, ${newest.outboxPending} page(s) not yet delivered` : '';
  return {
    tone: pages.length > 0 || newest.outboxPending > 0 ? 'amber' : 'green',
    value: `Running on ${newest.host}`,
    detail: `Seen ${ago(newest.ageSeconds)} · v${newest.version}${live.length > 1 ? ` · ${live.length} watchers` : ''} · ${pages.length === 0 ? 'no open pages' : `open: ${pages.map((p) => p.condition).join(', ')}`}${pending}`,
    unavailable: null,
  };
}
