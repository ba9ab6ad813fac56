// The Health view's watcher card: polls watch:status (heartbeats the ops-host
// watchers write into Vault) and says whether one runs for this cluster.
import { create } from 'zustand';
import type { WatchStatus } from '../../../../shared/contract';
export { watcherCard } from '../../../../shared/watch/watcher-card';
import { call, errorMessage } from '../../lib/ipc-client';

export const WATCH_REFRESH_MS = 30_000;

interface WatchState {
  status: WatchStatus | null;
  error: string | null;
  refresh(): Promise<void>;
  start(intervalMs?: number): () => void;
}

// Each refresh gets a number; a slow answer that arrives after a newer one is dropped.
let seq = 0;
let applied = 0;

export const useWatchStore = create<WatchState>()((set, get) => ({
  status: null,
  error: null,
  async refresh() {
    const mine = ++seq;
    try {
      const status = await call('watch:status');
      if (mine < applied) return;
      applied = mine;
      set({ status, error: null });
    } catch (err) {
      if (mine < applied) return;
      applied = mine;
      set({ status: null, error: errorMessage(err) });
    }
  },
  start(intervalMs = WATCH_REFRESH_MS) {
    void get().refresh();
    const timer = window.setInterval(() => void get().refresh(), intervalMs);
    return () => window.clearInterval(timer);
  },
}));
