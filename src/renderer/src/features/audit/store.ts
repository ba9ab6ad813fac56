// Audit viewer state: the filter, the loaded (newest-first) pages, counts, alerts,
// the live stream (refresh every 5 s unless paused) and exports. The table holds
// at most MAX_ROWS rows in memory; the DOM only renders what is visible.
import { create } from 'zustand';
import type {
  AlertSettings as AuditAlertSettings,
  ApprovalView,
  AuditAlertView,
  AuditArchivesView,
  AuditChartView,
  AuditEventView,
  AuditFilter,
  ImportReport,
  RetentionPolicy,
  StreamStatus,
} from '../../../../shared/contract';
import { validateAlertForm, wholeNumber, type AlertSettingsForm } from '../../../../shared/audit/audit-rules';
import { call, errorMessage, on } from '../../lib/ipc-client';

export { toAlertForm, validateAlertForm, type AlertSettingsForm } from '../../../../shared/audit/audit-rules';

export const LIVE_REFRESH_MS = 5_000;

// The lists come from a zod-free shared module: the same values as the contract's.
export { AUDIT_ACTIONS, AUDIT_SECRET_TYPES } from '../../../../shared/audit/audit-rules';
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
  /** Per-action counts of the newest byActionOf matching events. */
  byAction: Record<string, number>;
  byActionOf: number;
  alerts: AuditAlertView[];
  alertsTotal: number;
  /** Alerts are complete from this time on (each detector looks at the newest events of its kind). */
  alertsPartialSince: string | null;
  alertEvents: { alertId: string; events: AuditEventView[] } | null;
  /** Events over time by action for the filter (the chart above the table). */
  chart: AuditChartView | null;
  facets: { tenants: string[]; users: string[] };
  stream: StreamStatus | null;
  paused: boolean;
  /**
   * When the stream was paused (ISO): while paused every answer stops there, so a filter
   * change, or a refresh that was on its way when Pause was clicked, shows nothing newer.
   */
  pausedAt: string | null;
  loading: boolean;
  error: string | null;
  /**
   * The last refresh failed (a source down, slow, refusing or cutting its answer): no
   * events, counts or chart are shown then, never a part of them as if it were the whole.
   */
  failed: boolean;
  /** The chart or the alerts could not be read (the table may still be whole). */
  sideError: string | null;
  lastRefresh: Date | null;
  exportResult: { path: string; sha256: string; count: number } | null;
  /** Set when the view was opened as one credential's audit trail (a tenant's secret type). */
  trail: { tenant: string; secretType: NonNullable<AuditFilter['secretType']>; label: string } | null;
  setFilter(patch: Partial<AuditFilter>): void;
  /** Every event of one credential: its tenant and secret type, nothing else narrowing it. */
  openTrail(trail: { tenant: string; secretType: NonNullable<AuditFilter['secretType']>; label: string }): void;
  clearTrail(): void;
  refresh(): Promise<void>;
  /** The audit source was changed: nothing the one before answered stays on screen. */
  sourceChanged(): Promise<void>;
  loadMore(): Promise<void>;
  setPaused(paused: boolean): void;
  openAlert(alert: AuditAlertView): Promise<void>;
  closeAlert(): void;
  exportAs(format: 'csv' | 'json' | 'ndjson'): Promise<void>;
  /** Main opens its file dialog for the log to follow ('choose'), or takes the file device Vault reports ('sys-audit'). */
  followLog(source: 'choose' | 'sys-audit'): Promise<void>;
  start(intervalMs?: number): () => void;
}

let seq = 0;
/** The question (source generation and filter) the chart and alerts on screen answer. */
let shownKey = '';
/** Bumped when the audit source changes: answers from the one before are not shown. */
let generation = 0;
/** The cursor a next page is being read for. */
let moreFor: Cursor | null = null;
/** Per side part, the question on its way (one at a time per part). */
const asking = new Map<string, string>();

/**
 * One side part of a refresh (chart, alerts, lists, stream state): asked unless the same
 * question is already on its way; its answer is shown only while the view still asks that
 * question; a failure clears it (`clear`) and says so, or is left to the next refresh (null).
 */
function side<T>(part: string, key: string, ask: () => Promise<T>, show: (v: T) => Partial<AuditState>, clear: (() => Partial<AuditState>) | null): void {
  if (asking.get(part) === key) return;
  asking.set(part, key);
  const still = () => (part === 'facets' || part === 'stream' ? key === `${part}|${generation}` : key === shownKey);
  ask()
    .then(
      (v) => {
        if (still()) useAuditStore.setState({ ...show(v), ...(clear ? { sideError: null } : {}) });
      },
      (err: unknown) => {
        if (still() && clear) useAuditStore.setState({ ...clear(), sideError: `${part === 'alerts' ? 'Alerts' : 'The chart'} could not be read: ${errorMessage(err)}` });
      },
    )
    .finally(() => {
      if (asking.get(part) === key) asking.delete(part);
    });
}

/** The filter as asked while paused: it ends at the pause (or at its own end, if earlier). */
export function capAtPause(filter: AuditFilter, pausedAt: string | null): AuditFilter {
  if (!pausedAt) return filter;
  if (filter.to) {
    const own = /^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? Date.parse(`${filter.to}T23:59:59.999Z`) : Date.parse(filter.to);
    // An end that is not a date is left for main to refuse with its reason.
    if (!Number.isFinite(own) || own <= Date.parse(pausedAt)) return filter;
  }
  return { ...filter, to: pausedAt };
}

function clean(f: AuditFilter): AuditFilter {
  const out: AuditFilter = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
  return out;
}

export const useAuditStore = create<AuditState>()((set, get) => ({
  // The console's own syncs and probes are hidden until the viewer asks for them.
  filter: { hideHousekeeping: true },
  events: [],
  cursor: null,
  total: 0,
  capped: false,
  byAction: {},
  byActionOf: 0,
  alerts: [],
  alertsTotal: 0,
  alertsPartialSince: null,
  alertEvents: null,
  chart: null,
  facets: { tenants: [], users: [] },
  stream: null,
  paused: false,
  pausedAt: null,
  loading: false,
  error: null,
  failed: false,
  sideError: null,
  lastRefresh: null,
  exportResult: null,

  trail: null,

  setFilter(patch) {
    const filter = clean({ ...get().filter, ...patch });
    // Narrowing the tenant or type away from the trail's ends the trail.
    const t = get().trail;
    const trail = t && filter.tenant === t.tenant && filter.secretType === t.secretType ? t : null;
    set({ filter, trail, events: [], cursor: null });
    void get().refresh();
  },

  openTrail(trail) {
    const keep = get().filter;
    const filter: AuditFilter = { tenant: trail.tenant, secretType: trail.secretType };
    // The housekeeping toggle is the viewer's choice, not the filter's: it stays as it was.
    if (keep.hideHousekeeping !== undefined) filter.hideHousekeeping = keep.hideHousekeeping;
    set({ filter, trail, events: [], cursor: null });
    void get().refresh();
  },

  clearTrail() {
    const { tenant: _t, secretType: _s, ...rest } = get().filter;
    set({ trail: null });
    get().setFilter({ ...rest, tenant: '', secretType: undefined });
  },

  async refresh() {
    const mine = ++seq;
    const filter = capAtPause(get().filter, get().pausedAt);
    const key = `${generation}|${JSON.stringify(filter)}`;
    // Another question: what answered the last one (chart, alerts) is not this one's answer.
    if (key !== shownKey) {
      shownKey = key;
      set({ chart: null, alerts: [], alertsTotal: 0, alertsPartialSince: null, sideError: null });
    }
    set({ loading: true });
    // The chart, alerts, lists and stream state come when they come: a slow one (alerts over
    // a month of a fleet's events) never holds the table, and one already asked is not asked again.
    side('chart', key, () => call('audit:chart', { filter }), (chart) => ({ chart }), () => ({ chart: null }));
    side('alerts', key, () => call('audit:alerts', { filter }), (a) => ({ alerts: a.alerts, alertsTotal: a.total, alertsPartialSince: a.partialSince }), () => ({ alerts: [], alertsTotal: 0, alertsPartialSince: null }));
    side('facets', `facets|${generation}`, () => call('audit:facets'), (facets) => ({ facets }), null);
    side('stream', `stream|${generation}`, () => call('audit:stream-status'), (stream) => ({ stream }), null);
    try {
      const [page, counts] = await Promise.all([call('audit:query', { filter, limit: PAGE_SIZE }), call('audit:counts', { filter })]);
      if (mine !== seq) return;
      set({
        events: page.events,
        cursor: page.nextCursor,
        total: counts.total,
        capped: counts.capped,
        byAction: counts.byAction,
        byActionOf: counts.byActionOf,
        error: null,
        failed: false,
        lastRefresh: new Date(),
      });
    } catch (err) {
      // What an earlier answer showed is dropped: it is not the answer to this question.
      if (mine === seq) set({ error: errorMessage(err), failed: true, events: [], cursor: null, total: 0, capped: false, byAction: {}, byActionOf: 0, chart: null, alerts: [], alertsTotal: 0, alertsPartialSince: null, alertEvents: null });
    } finally {
      if (mine === seq) set({ loading: false });
    }
  },

  sourceChanged() {
    generation++;
    set({ facets: { tenants: [], users: [] } });
    return get().refresh();
  },

  async loadMore() {
    const { cursor, events } = get();
    // One page at a time per cursor (scrolling asks on every scroll event near the end).
    if (!cursor || events.length >= MAX_ROWS || moreFor === cursor) return;
    moreFor = cursor;
    const filter = capAtPause(get().filter, get().pausedAt);
    try {
      const page = await call('audit:query', { filter, cursor, limit: PAGE_SIZE });
      // Only onto the list this cursor ends: a refresh, filter or source change meanwhile made a new list.
      if (get().cursor !== cursor) return;
      set({ events: [...get().events, ...page.events], cursor: page.nextCursor });
    } catch (err) {
      if (get().cursor === cursor) set({ error: errorMessage(err) });
    } finally {
      if (moreFor === cursor) moreFor = null;
    }
  },

  setPaused(paused) {
    set({ paused, pausedAt: paused ? new Date().toISOString() : null });
    // Resuming shows everything up to now; pausing asks again with the pause as the end, so
    // an answer already on its way (the table, the chart, the alerts) cannot bring in newer entries.
    void get().refresh();
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
    try {
      // Main names the file (in the console's export folder): the renderer names none.
      const r = await call('audit:export', { filter: capAtPause(get().filter, get().pausedAt), format });
      set({ exportResult: { path: r.path, sha256: r.sha256, count: r.count }, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  async followLog(source) {
    try {
      set({ stream: await call('audit:stream-start', { source }), error: null });
      await get().refresh();
    } catch (err) {
      set({ error: `Live stream unavailable: ${errorMessage(err)}` });
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

// ---- deletion approvals (four eyes; kept in Vault) ----

interface ApprovalsState {
  approvals: ApprovalView[];
  loaded: boolean;
  error: string | null;
  notice: string | null;
  busy: string | null;
  load(): Promise<void>;
  request(path: string, reason: string): Promise<boolean>;
  approve(id: string): Promise<void>;
  deleteSecret(id: string): Promise<void>;
}

export const useApprovalsStore = create<ApprovalsState>()((set, get) => {
  const act = async (busy: string, fn: () => Promise<string>): Promise<boolean> => {
    set({ busy, error: null, notice: null });
    try {
      const notice = await fn();
      set({ notice });
      await get().load();
      return true;
    } catch (err) {
      set({ error: errorMessage(err) });
      return false;
    } finally {
      set({ busy: null });
    }
  };
  return {
    approvals: [],
    loaded: false,
    error: null,
    notice: null,
    busy: null,
    async load() {
      try {
        const r = await call('audit:approvals');
        set({ approvals: r.approvals, loaded: true });
      } catch (err) {
        set({ error: errorMessage(err), loaded: true });
      }
    },
    request(path, reason) {
      return act('request', async () => {
        const a = await call('audit:request-delete', { path, reason });
        return `Deletion of ${a.path} requested (${a.id}); a second admin must approve it.`;
      });
    },
    async approve(id) {
      await act(id, async () => {
        const a = await call('audit:approve-delete', { id });
        return `Approved deletion of ${a.path}.`;
      });
    },
    async deleteSecret(id) {
      await act(id, async () => {
        const a = await call('audit:delete-secret', { id });
        return `Deleted ${a.path} (all versions) under approval ${a.id}.`;
      });
    },
  };
});

// ---- alert thresholds ----

interface AlertSettingsState {
  settings: AuditAlertSettings | null;
  error: string | null;
  saved: boolean;
  load(): Promise<void>;
  save(form: AlertSettingsForm): Promise<boolean>;
}

export const useAlertSettingsStore = create<AlertSettingsState>()((set) => ({
  settings: null,
  error: null,
  saved: false,
  async load() {
    try {
      set({ settings: await call('audit:alert-settings'), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async save(form) {
    set({ saved: false, error: null });
    const v = validateAlertForm(form);
    if ('error' in v) {
      set({ error: v.error });
      return false;
    }
    try {
      set({ settings: await call('audit:set-alert-settings', v.settings), saved: true });
      // Alerts follow the new thresholds at once.
      void useAuditStore.getState().refresh();
      return true;
    } catch (err) {
      set({ error: errorMessage(err) });
      return false;
    }
  },
}));

// ---- archives and retention ----

interface ArchivesState {
  view: AuditArchivesView | null;
  error: string | null;
  notice: string | null;
  busy: string | null;
  load(): Promise<void>;
  archive(month: string): Promise<void>;
  reopen(month: string): Promise<void>;
  setPolicy(p: { archiveAfterMonths: string; retentionYears: string }): Promise<boolean>;
}

function reportLine(r: ImportReport): string {
  return `${r.inserted.toLocaleString('en-US')} events loaded back (${r.duplicates.toLocaleString('en-US')} were already there).`;
}

export const useArchivesStore = create<ArchivesState>()((set) => {
  const act = async (busy: string, fn: () => Promise<{ view: AuditArchivesView; notice: string }>): Promise<boolean> => {
    set({ busy, error: null, notice: null });
    try {
      const r = await fn();
      set({ view: r.view, notice: r.notice });
      void useAuditStore.getState().refresh();
      return true;
    } catch (err) {
      set({ error: errorMessage(err) });
      return false;
    } finally {
      set({ busy: null });
    }
  };
  return {
    view: null,
    error: null,
    notice: null,
    busy: null,
    async load() {
      try {
        set({ view: await call('audit:archives') });
      } catch (err) {
        set({ error: errorMessage(err) });
      }
    },
    async archive(month) {
      await act(month, async () => ({ view: await call('audit:archive-month', { month }), notice: `${month} archived.` }));
    },
    async reopen(month) {
      await act(month, async () => {
        const r = await call('audit:reopen-month', { month });
        return { view: r, notice: `${month} reopened: ${reportLine(r.report)}` };
      });
    },
    setPolicy(p) {
      const a = wholeNumber(p.archiveAfterMonths, 'Archive after (months)', 1, 120);
      const y = wholeNumber(p.retentionYears, 'Keep for (years)', 1, 100);
      const problem = typeof a === 'string' ? a : typeof y === 'string' ? y : null;
      if (problem) {
        set({ error: problem, notice: null });
        return Promise.resolve(false);
      }
      const policy: RetentionPolicy = { archiveAfterMonths: a as number, retentionYears: y as number };
      return act('policy', async () => ({ view: await call('audit:set-retention', policy), notice: 'Retention policy saved.' }));
    },
  };
});

// ---- imports for offline review ----

interface ImportState {
  reports: ImportReport[];
  busy: boolean;
  error: string | null;
  cancelled: boolean;
  /** Main opens its file dialog and imports what the user picks: the renderer names no file. */
  importChosen(): Promise<void>;
}

export const useImportStore = create<ImportState>()((set) => ({
  reports: [],
  busy: false,
  error: null,
  cancelled: false,
  async importChosen() {
    set({ busy: true, error: null, reports: [], cancelled: false });
    try {
      const r = await call('audit:import', {});
      set({ reports: r.reports, cancelled: r.cancelled });
      if (!r.cancelled) void useAuditStore.getState().refresh();
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ busy: false });
    }
  },
}));
