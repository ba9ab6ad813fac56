// Health dashboard state: polls vault:status and listens for vault:status-changed.
// A failed poll replaces the last status, so a dead Vault never keeps a stale green.
import { create } from 'zustand';
import type { VaultStatus } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

export const DEFAULT_REFRESH_MS = 10_000;

export type Tone = 'green' | 'amber' | 'red' | 'neutral';

interface HealthState {
  status: VaultStatus | null;
  /** Set when the status call itself failed (not when Vault answered "sealed"). */
  error: string | null;
  loading: boolean;
  lastUpdated: Date | null;
  refresh(): Promise<void>;
  /** Starts polling and event listening; returns the stop function. */
  start(intervalMs?: number): () => void;
}

// Each refresh gets a number; a slow answer that arrives after a newer one is dropped.
let seq = 0;
let applied = 0;

export const useHealthStore = create<HealthState>()((set, get) => ({
  status: null,
  error: null,
  loading: false,
  lastUpdated: null,

  async refresh() {
    const mine = ++seq;
    set({ loading: true });
    try {
      const status = await call('vault:status');
      if (mine < applied) return;
      applied = mine;
      set({ status, error: null, lastUpdated: new Date() });
    } catch (err) {
      if (mine < applied) return;
      applied = mine;
      set({ status: null, error: errorMessage(err), lastUpdated: new Date() });
    } finally {
      if (mine === seq) set({ loading: false });
    }
  },

  start(intervalMs = DEFAULT_REFRESH_MS) {
    void get().refresh();
    const timer = window.setInterval(() => void get().refresh(), intervalMs);
    let unsubscribe: () => void = () => undefined;
    try {
      unsubscribe = on('vault:status-changed', (status) => {
        applied = ++seq;
        set({ status, error: null, lastUpdated: new Date() });
      });
    } catch {
      // No bridge: refresh() already reports that; polling shows the error.
    }
    return () => {
      window.clearInterval(timer);
      unsubscribe();
    };
  },
}));

export interface SealView {
  label: string;
  tone: Tone;
  detail?: string;
}

/** Traffic light for the seal card; every state that is not "serving secrets" is red. */
export function sealView(status: VaultStatus | null, error: string | null): SealView {
  if (error) return { label: 'Unreachable', tone: 'red', detail: error };
  if (!status) return { label: 'Checking…', tone: 'neutral' };
  if (!status.reachable) return { label: 'Unreachable', tone: 'red', detail: status.error ?? 'No answer from Vault.' };
  if (!status.initialized) return { label: 'Not initialized', tone: 'red', detail: 'Vault has not been initialized.' };
  if (status.sealed) return { label: 'Sealed', tone: 'red', detail: 'Secrets are unavailable until Vault is unsealed.' };
  return { label: 'Unsealed', tone: 'green' };
}

export function formatClock(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
