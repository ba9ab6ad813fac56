// Tenants inventory in the renderer: the search form, a page cache for the windowed
// table, the index's age and sync progress. Rows come from main's SQLite index; no
// secret value ever reaches this process.
import { create } from 'zustand';
import type { IndexState, SyncProgress, TenantRow, TenantSearchInput } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

export const PAGE = 100;

export interface Filters {
  query: string;
  type: NonNullable<TenantSearchInput['type']>;
  status: TenantSearchInput['status'] | '';
  due: TenantSearchInput['due'] | '';
  sort: NonNullable<TenantSearchInput['sort']>;
  dir: 'asc' | 'desc';
}

interface TenantsState {
  filters: Filters;
  total: number;
  /** Rows by absolute index; filled page by page as the table scrolls. */
  rows: Map<number, TenantRow>;
  loading: boolean;
  error: string | null;
  index: IndexState | null;
  progress: SyncProgress | null;
  syncing: boolean;
  syncError: string | null;
  selected: string | null;
  /** The search text the rows on screen answer (lets tests and the bench tell stale rows apart). */
  shownQuery: string;
  /** Bumped on every new search so late answers for old filters are dropped. */
  generation: number;
  setFilters(patch: Partial<Filters>): void;
  toggleSort(col: Filters['sort']): void;
  ensureRange(from: number, to: number): void;
  refresh(): Promise<void>;
  sync(mode: 'incremental' | 'full'): Promise<void>;
  cancelSync(): Promise<void>;
  select(id: string | null): void;
  listen(): () => void;
}

function input(f: Filters, offset: number): TenantSearchInput {
  return {
    query: f.query,
    type: f.type,
    ...(f.status ? { status: f.status } : {}),
    ...(f.due ? { due: f.due } : {}),
    sort: f.sort,
    dir: f.dir,
    offset,
    limit: PAGE,
  };
}

export const useTenantsStore = create<TenantsState>()((set, get) => {
  const inFlight = new Set<string>();
  const fetchPage = async (page: number, generation: number) => {
    const key = `${generation}:${page}`;
    if (inFlight.has(key)) return;
    inFlight.add(key);
    try {
      const r = await call('tenants:search', input(get().filters, page * PAGE));
      if (get().generation !== generation) return;
      const rows = page === 0 ? new Map<number, TenantRow>() : new Map(get().rows);
      r.rows.forEach((row, i) => rows.set(r.offset + i, row));
      set({ rows, total: r.total, index: r.index, loading: false, error: null, ...(page === 0 ? { shownQuery: get().filters.query } : {}) });
    } catch (err) {
      if (get().generation === generation) set({ loading: false, error: errorMessage(err) });
    } finally {
      inFlight.delete(key);
    }
  };
  const research = () => {
    const generation = get().generation + 1;
    set({ generation, loading: true });
    void fetchPage(0, generation);
  };
  return {
    filters: { query: '', type: 'all', status: '', due: '', sort: 'tenantId', dir: 'asc' },
    total: 0,
    rows: new Map(),
    loading: false,
    error: null,
    index: null,
    progress: null,
    syncing: false,
    syncError: null,
    selected: null,
    shownQuery: '',
    generation: 0,
    setFilters(patch) {
      set({ filters: { ...get().filters, ...patch } });
      research();
    },
    toggleSort(col) {
      const f = get().filters;
      set({ filters: { ...f, sort: col, dir: f.sort === col && f.dir === 'asc' ? 'desc' : 'asc' } });
      research();
    },
    ensureRange(from, to) {
      const { rows, total, generation } = get();
      const last = Math.min(to, Math.max(0, total - 1));
      for (let page = Math.floor(from / PAGE); page <= Math.floor(last / PAGE); page++) {
        if (!rows.has(page * PAGE)) void fetchPage(page, generation);
      }
    },
    async refresh() {
      research();
    },
    async sync(mode) {
      set({ syncing: true, syncError: null });
      try {
        await call('tenants:sync', { mode });
      } catch (err) {
        set({ syncError: errorMessage(err) });
      } finally {
        set({ syncing: false, progress: null });
        research();
      }
    },
    async cancelSync() {
      await call('tenants:sync-cancel').catch(() => undefined);
    },
    select(id) {
      set({ selected: id });
    },
    listen() {
      try {
        const offProgress = on('tenants:sync-progress', (p) => set({ progress: p.phase === 'done' ? null : p }));
        const offIndex = on('tenants:index-changed', (index) => {
          set({ index });
          research();
        });
        return () => {
          offProgress();
          offIndex();
        };
      } catch {
        return () => undefined;
      }
    },
  };
});

/** "3 min ago" style age of the index, from an ISO time. */
export function age(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
