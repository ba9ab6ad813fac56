// Health dashboard state: polls health:snapshot (every card in one call) and the
// metrics series, listens for vault:status-changed, and runs break-glass actions.
// A failed poll replaces the last snapshot, so a dead Vault never keeps a stale green.
// Unseal key shares pass straight from the form to main; nothing here keeps them.
import { create } from 'zustand';
import type { HealthSnapshot, MetricsSeries, VaultStatus } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

export const DEFAULT_REFRESH_MS = 10_000;

export type Tone = 'green' | 'amber' | 'red' | 'neutral';

interface HealthState {
  snapshot: HealthSnapshot | null;
  /** The seal part of the snapshot (or the latest vault:status-changed / unseal answer). */
  status: VaultStatus | null;
  /** Set when the snapshot call itself failed (not when Vault answered "sealed"). */
  error: string | null;
  loading: boolean;
  lastUpdated: Date | null;
  metrics: MetricsSeries | null;
  unsealBusy: boolean;
  unsealError: string | null;
  sealBusy: boolean;
  sealError: string | null;
  refresh(): Promise<void>;
  /** Starts polling and event listening; returns the stop function. */
  start(intervalMs?: number): () => void;
  unseal(key: string): Promise<boolean>;
  resetUnseal(): Promise<void>;
  seal(confirm: string, incidentId?: string): Promise<boolean>;
}

// Each refresh gets a number; a slow answer that arrives after a newer one is dropped.
let seq = 0;
let applied = 0;

export const useHealthStore = create<HealthState>()((set, get) => ({
  snapshot: null,
  status: null,
  error: null,
  loading: false,
  lastUpdated: null,
  metrics: null,
  unsealBusy: false,
  unsealError: null,
  sealBusy: false,
  sealError: null,

  async refresh() {
    const mine = ++seq;
    set({ loading: true });
    const metrics = call('health:metrics').then(
      (m) => set({ metrics: m }),
      () => undefined,
    );
    try {
      const snapshot = await call('health:snapshot');
      if (mine < applied) return;
      applied = mine;
      set({ snapshot, status: snapshot.status, error: null, lastUpdated: new Date() });
    } catch (err) {
      if (mine < applied) return;
      applied = mine;
      set({ snapshot: null, status: null, error: errorMessage(err), lastUpdated: new Date() });
    } finally {
      if (mine === seq) set({ loading: false });
      await metrics;
    }
  },

  start(intervalMs = DEFAULT_REFRESH_MS) {
    void get().refresh();
    const timer = window.setInterval(() => void get().refresh(), intervalMs);
    let unsubscribe: () => void = () => undefined;
    try {
      unsubscribe = on('vault:status-changed', (status) => {
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

  async unseal(key) {
    set({ unsealBusy: true, unsealError: null });
    try {
      const status = await call('vault:unseal', { key });
      set({ status, unsealBusy: false });
      void get().refresh();
      return true;
    } catch (err) {
      set({ unsealBusy: false, unsealError: errorMessage(err) });
      void get().refresh();
      return false;
    }
  },

  async resetUnseal() {
    set({ unsealBusy: true, unsealError: null });
    try {
      const status = await call('vault:unseal-reset');
      set({ status, unsealBusy: false });
    } catch (err) {
      set({ unsealBusy: false, unsealError: errorMessage(err) });
    }
    void get().refresh();
  },

  async seal(confirm, incidentId) {
    set({ sealBusy: true, sealError: null });
    try {
      const incident = incidentId?.trim();
      const status = await call('vault:seal', incident ? { confirm, incidentId: incident } : { confirm });
      set({ status, sealBusy: false });
      void get().refresh();
      return true;
    } catch (err) {
      set({ sealBusy: false, sealError: errorMessage(err) });
      return false;
    }
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
