// Audit viewer state: the filter, the loaded (newest-first) pages, counts, alerts,
// the live stream (refresh every 5 s unless paused) and exports. The table holds
// at most MAX_ROWS rows in memory; the DOM only renders what is visible.
import { create } from 'zustand';
import type { AuditAction, AuditAlertView, AuditEventView, AuditFilter, AuditSecretType, StreamStatus } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

export const LIVE_REFRESH_MS = 5_000;

// Copies of the contract's lists: a runtime import would pull zod into the renderer.
export const AUDIT_ACTIONS: readonly AuditAction[] = ['read', 'read-metadata', 'list', 'write', 'write-metadata', 'delete', 'rotate', 'download', 'reveal', 'revoke', 'emergency-reset', 'request-approval', 'approve', 'login', 'failed-login', 'other'];
export const AUDIT_SECRET_TYPES: readonly AuditSecretType[] = ['ssh', 'smtp', 'api', 'dkim', 'profile', 'none'];
export const PAGE_SIZE = 500;
export const MAX_ROWS = 200_000;

interface Cursor {
  ts: number;
  id: number;
}

interface AuditState {
  filter: AuditFilter;
  events: AuditEventView[];
  cursor: Cursor | null;
  total: number;
  capped: boolean;
  alerts: AuditAlertView[];
  alertEvents: { alertId: string; events: AuditEventView[] } | null;
  facets: { tenants: string[]; users: string[] };
  stream: StreamStatus | null;
  paused: boolean;
  loading: boolean;
  error: string | null;
  lastRefresh: Date | null;
  exportResult: { path: string; sha256: string; count: number } | null;
  setFilter(patch: Partial<AuditFilter>): void;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  setPaused(paused: boolean): void;
  openAlert(alert: AuditAlertView): Promise<void>;
  closeAlert(): void;
  exportAs(format: 'csv' | 'json' | 'ndjson'): Promise<void>;
  start(intervalMs?: number): () => void;
}

let seq = 0;

function clean(f: AuditFilter): AuditFilter {
  const out: AuditFilter = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
  return out;
}

export const useAuditStore = create<AuditState>()((set, get) => ({
  filter: {},
  events: [],
  cursor: null,
  total: 0,
  capped: false,
  alerts: [],
  alertEvents: null,
  facets: { tenants: [], users: [] },
  stream: null,
  paused: false,
  loading: false,
  error: null,
  lastRefresh: null,
  exportResult: null,

  setFilter(patch) {
    set({ filter: clean({ ...get().filter, ...patch }), events: [], cursor: null });
    void get().refresh();
  },

  async refresh() {
    const mine = ++seq;
    const filter = get().filter;
    set({ loading: true });
    try {
      const [page, counts, alerts, facets, stream] = await Promise.all([
        call('audit:query', { filter, limit: PAGE_SIZE }),
        call('audit:counts', { filter }),
        call('audit:alerts', { filter }),
        call('audit:facets'),
        call('audit:stream-status'),
      ]);
      if (mine !== seq) return;
      set({
        events: page.events,
        cursor: page.nextCursor,
        total: counts.total,
        capped: counts.capped,
        alerts: alerts.alerts,
        facets,
        stream,
        error: null,
        lastRefresh: new Date(),
      });
    } catch (err) {
      if (mine === seq) set({ error: errorMessage(err) });
    } finally {
      if (mine === seq) set({ loading: false });
    }
  },

  async loadMore() {
    const { cursor, filter, events } = get();
    if (!cursor || events.length >= MAX_ROWS) return;
    const mine = seq;
    try {
      const page = await call('audit:query', { filter, cursor, limit: PAGE_SIZE });
      if (mine !== seq) return;
      set({ events: [...get().events, ...page.events], cursor: page.nextCursor });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  setPaused(paused) {
    set({ paused });
    if (!paused) void get().refresh();
  },

  async openAlert(alert) {
    try {
      const r = await call('audit:events-by-id', { ids: alert.eventIds });
      set({ alertEvents: { alertId: alert.id, events: r.events } });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  closeAlert() {
    set({ alertEvents: null });
  },

  async exportAs(format) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    try {
      const r = await call('audit:export', { filter: get().filter, format, fileName: `audit-${stamp}` });
      set({ exportResult: { path: r.path, sha256: r.sha256, count: r.count }, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  start(intervalMs = LIVE_REFRESH_MS) {
    void (async () => {
      try {
        set({ stream: await call('audit:stream-start', {}) });
      } catch (err) {
        // No session or no file device: the viewer still works on stored and imported events.
        set({ error: `Live stream unavailable: ${errorMessage(err)}` });
      }
      await get().refresh();
    })();
    const timer = window.setInterval(() => {
      if (!get().paused) void get().refresh();
    }, intervalMs);
    let off: () => void = () => undefined;
    try {
      off = on('audit:stream-updated', (stream) => set({ stream }));
    } catch {
      // No bridge: refresh() reports it.
    }
    return () => {
      window.clearInterval(timer);
      off();
    };
  },
}));
