import { useEffect, useState } from 'react';
import { GatedButton } from '../../../components/GatedButton';
import { RotateFilterButton } from '../../rotation';
import { age, useTenantsStore, type Filters } from '../store';
import { TenantDetailsPanel } from './TenantDetailsPanel';
import { TenantTable } from './TenantTable';
import { filterWords } from './TenantRowParts';

const TYPES: Array<[Filters['type'], string]> = [
  ['all', 'All'],
  ['ssh', 'SSH Keys'],
  ['smtp', 'SMTP Credentials'],
  ['api', 'API Keys'],
  ['dkim', 'DKIM Keys'],
];
const STATUSES: Array<[NonNullable<Filters['status']>, string]> = [
  ['', 'Any status'],
  ['active', 'Active'],
  ['expired', 'Expired'],
  ['revoked', 'Revoked'],
];
const DUES: Array<[NonNullable<Filters['due']>, string]> = [
  ['', 'Any time'],
  ['7d', 'Next 7 days'],
  ['30d', 'Next 30 days'],
  ['overdue', 'Overdue'],
];

function FilterSelect<V extends string>({ label, value, options, onChange, testId }: { label: string; value: V; options: Array<[V, string]>; onChange(v: V): void; testId: string }) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as V)} data-testid={testId}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

export function TenantsView() {
  const { filters, total, loading, error, index, progress, syncing, syncError, selected, setFilters, refresh, sync, cancelSync, listen } = useTenantsStore();
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    void refresh();
    const off = listen();
    // The index age label stays current without refetching.
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => {
      off();
      clearInterval(t);
    };
  }, [refresh, listen]);

  const pct = progress && progress.total > 0 ? Math.floor((progress.done * 100) / progress.total) : 0;

  return (
    <div className="view tenants-view" data-testid="tenants-view">
      <div className="view-header">
        <h1>Tenant Secrets</h1>
        <div className="view-actions">
          <span className="muted" data-testid="index-age" title={index?.lastSyncAt ?? undefined}>
            {index ? `Index: ${index.tenants.toLocaleString()} tenants, synced ${age(index.lastSyncAt, now)}` : 'Index: …'}
            {index?.lastOutcome && index.lastOutcome !== 'done' && index.lastOutcome !== 'running' ? ` (last sync ${index.lastOutcome})` : ''}
          </span>
          {syncing ? (
            <button type="button" onClick={() => void cancelSync()} data-testid="sync-cancel">
              Cancel sync
            </button>
          ) : (
            <>
              <GatedButton gate={{ action: 'tenants.sync' }} onClick={() => void sync('incremental')} testId="sync">
                Sync
              </GatedButton>
              <GatedButton gate={{ action: 'tenants.sync' }} onClick={() => void sync('full')} testId="sync-full" title="Rescan every tenant">
                Full sync
              </GatedButton>
            </>
          )}
        </div>
      </div>
      {syncing && (
        <div className="sync-progress" data-testid="sync-progress" role="status">
          <progress max={100} value={pct} />
          <span>
            {progress ? `${progress.phase === 'listing' ? 'Listing tenants…' : `${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} tenants`} (${progress.scanned} rescanned, ${progress.unchanged} unchanged)` : 'Starting…'}
          </span>
        </div>
      )}
      {syncError && (
        <p className="error" role="alert" data-testid="sync-error">
          {syncError}
        </p>
      )}

      <form className="tenant-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span className="visually-hidden">Search</span>
          <input
            type="search"
            placeholder="Search by tenant ID, name or VPS IP"
            value={filters.query}
            maxLength={512}
            onChange={(e) => setFilters({ query: e.target.value })}
            data-testid="tenant-search"
            autoComplete="off"
          />
        </label>
        <FilterSelect label="Secret Type" value={filters.type} options={TYPES} onChange={(type) => setFilters({ type })} testId="filter-type" />
        <FilterSelect label="Status" value={filters.status ?? ''} options={STATUSES} onChange={(status) => setFilters({ status })} testId="filter-status" />
        <FilterSelect label="Rotation Due" value={filters.due ?? ''} options={DUES} onChange={(due) => setFilters({ due })} testId="filter-due" />
        <span className="result-count" data-testid="result-count" aria-live="polite">
          {loading && total === 0 ? 'Searching…' : `${total.toLocaleString()} tenant${total === 1 ? '' : 's'}`}
        </span>
        <FilterExplain />
      </form>
      <RotateFilterButton filter={{ query: filters.query, type: filters.type, ...(filters.status ? { status: filters.status } : {}), ...(filters.due ? { due: filters.due } : {}) }} count={total} />
      {error && (
        <p className="error" role="alert" data-testid="tenants-error">
          {error}
        </p>
      )}
      {index && index.tenants === 0 && !syncing && (
        <p className="notice" data-testid="tenants-empty-index">
          The local index is empty. Sync it from Vault to list tenants.
        </p>
      )}
      <TenantTable />
      {selected && <TenantDetailsPanel tenantId={selected} />}
    </div>
  );
}

const TYPE_PHRASE: Record<Filters['type'], string> = { all: 'a secret', ssh: 'an SSH key', smtp: 'SMTP credentials', api: 'an API key', dkim: 'a DKIM key' };

/** Says what a status or due filter counts ("with a DKIM key overdue or expired"); each row names its secrets. */
function FilterExplain() {
  const filters = useTenantsStore((s) => s.filters);
  const words = filterWords(filters);
  if (!words) return null;
  return (
    <span className="filter-explain" data-testid="filter-explain">
      with {TYPE_PHRASE[filters.type]} {words.toLowerCase()}; the line under each row says which
    </span>
  );
}
