// A windowed table: only the rows in view (plus a margin) are in the DOM, so 10,000+
// tenants scroll smoothly. Pages of rows are fetched from main as they come into view.
// Every secret type shows its worst status with a count, the row takes the colour of
// its worst secret, and under a status or due filter a second line names the secrets
// that matched. With a tenant open, the table shrinks and stays pinned above its details.
import { useEffect, useRef, useState, type UIEvent } from 'react';
import type { TenantRow } from '../../../../../shared/contract';
import { HEALTH_LABEL, statusColour } from '../../../../../shared/inventory/rotation-status';
import { Time } from '../../../lib/Time';
import { useTenantsStore, type Filters } from '../store';
import { filterWords, MatchedLine, TypeStatusCell } from './TenantRowParts';

export const ROW_HEIGHT = 36;
/** Rows with the "which secret matched" line under them. */
export const ROW_HEIGHT_MATCHED = 60;
const VIEW_ROWS = 16;
/** Rows kept in view above the open details. */
const VIEW_ROWS_WITH_DETAILS = 5;
const OVERSCAN = 8;

const COLUMNS: Array<{ id: Filters['sort']; label: string; className?: string }> = [
  { id: 'tenantId', label: 'Tenant ID' },
  { id: 'name', label: 'Tenant Name' },
  { id: 'vpsIp', label: 'VPS IP' },
  { id: 'ssh', label: 'SSH Status' },
  { id: 'smtp', label: 'SMTP Status' },
  { id: 'apiCount', label: 'API Keys' },
  { id: 'dkimCount', label: 'DKIM Keys' },
  { id: 'lastRotation', label: 'Last Rotation' },
  { id: 'actions', label: 'Actions' },
];

export function TenantTable() {
  const { filters, total, rows, toggleSort, ensureRange, select, selected, generation, shownQuery, loading, index, setFilters } = useTenantsStore();
  const [scrollTop, setScrollTop] = useState(0);
  const body = useRef<HTMLDivElement>(null);
  const words = filterWords(filters);
  const rowHeight = words ? ROW_HEIGHT_MATCHED : ROW_HEIGHT;
  const viewRows = selected ? VIEW_ROWS_WITH_DETAILS : VIEW_ROWS;

  // A new search starts at the top.
  useEffect(() => {
    if (body.current) body.current.scrollTop = 0;
    setScrollTop(0);
  }, [generation]);

  // Opening a tenant keeps its row in the (now shorter) window.
  useEffect(() => {
    if (!selected || !body.current) return;
    for (const [i, r] of useTenantsStore.getState().rows) {
      if (r.tenantId !== selected) continue;
      const top = i * rowHeight;
      const el = body.current;
      if (top < el.scrollTop || top + rowHeight > el.scrollTop + viewRows * rowHeight) {
        el.scrollTop = Math.max(0, top - Math.floor(viewRows / 2) * rowHeight);
        setScrollTop(el.scrollTop);
      }
      break;
    }
  }, [selected, rowHeight, viewRows]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(total - 1, Math.floor(scrollTop / rowHeight) + viewRows + OVERSCAN);
  useEffect(() => {
    if (total > 0) ensureRange(first, last);
  }, [first, last, total, ensureRange, rows]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop);
  const visible: Array<[number, TenantRow | undefined]> = [];
  for (let i = first; i <= last; i++) visible.push([i, rows.get(i)]);
  const noMatch = total === 0 && !loading && shownQuery === filters.query && (index?.tenants ?? 0) > 0;
  const filtered = filters.query.trim() !== '' || filters.type !== 'all' || Boolean(filters.status) || Boolean(filters.due);

  return (
    <div className={`tenant-table${selected ? ' with-details' : ''}`} role="table" aria-label="Tenants" aria-rowcount={total + 1} data-testid="tenant-table" data-query={shownQuery}>
      <div className="tt-row tt-head" role="row">
        {COLUMNS.map((c) => (
          <div key={c.id} role="columnheader" className={`tt-cell tt-${c.id}`} aria-sort={filters.sort === c.id ? (filters.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
            <button type="button" className="link-button" onClick={() => toggleSort(c.id)} data-testid={`sort-${c.id}`}>
              {c.label}
              {filters.sort === c.id ? (filters.dir === 'asc' ? ' ▲' : ' ▼') : ''}
            </button>
          </div>
        ))}
      </div>
      {noMatch ? (
        <div className="tt-empty" role="row" data-testid="tenants-no-match">
          <div role="cell">
            <p>
              <strong>No tenants match</strong>
              {filters.query.trim() ? (
                <>
                  {' '}
                  “<span data-testid="tenants-no-match-query">{filters.query.trim()}</span>”
                </>
              ) : null}
              {filtered && (filters.type !== 'all' || filters.status || filters.due) ? ' with these filters' : ''}.
            </p>
            <p className="muted small">Search looks at the tenant ID and name (any case, with or without accents) and the start of the VPS IP.</p>
            {filtered && (
              <button type="button" className="small" onClick={() => setFilters({ query: '', type: 'all', status: '', due: '' })} data-testid="tenants-clear-filters">
                Clear search and filters
              </button>
            )}
          </div>
        </div>
      ) : (
        <div className="tt-body" ref={body} onScroll={onScroll} style={{ height: Math.min(viewRows, Math.max(total, 1)) * rowHeight }} data-testid="tenant-table-body">
          <div style={{ height: total * rowHeight, position: 'relative' }}>
            {visible.map(([i, r]) => {
              const tone = r ? statusColour(r.overall === 'none' ? 'unknown' : r.overall) : 'grey';
              return (
                <div
                  key={i}
                  role="row"
                  aria-rowindex={i + 2}
                  aria-selected={r ? r.tenantId === selected : undefined}
                  className={`tt-row tt-tone-${r && r.overall !== 'none' ? tone : 'none'}${r && r.tenantId === selected ? ' selected' : ''}${words ? ' with-matched' : ''}`}
                  style={{ position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}
                  data-testid={r ? 'tenant-row' : 'tenant-row-loading'}
                  data-tenant-id={r?.tenantId}
                  data-tone={r ? (r.overall === 'none' ? 'none' : tone) : undefined}
                >
                  {r ? (
                    <>
                      <div role="cell" className="tt-cell tt-tenantId">
                        <code>{r.tenantId}</code>
                        {r.overall !== 'none' && <span className="visually-hidden"> worst secret: {HEALTH_LABEL[r.overall]}</span>}
                      </div>
                      <div role="cell" className="tt-cell tt-name" title={r.name}>
                        {r.name || <span className="muted">(no name)</span>}
                      </div>
                      <div role="cell" className="tt-cell tt-vpsIp">
                        {r.vpsIp}
                      </div>
                      <div role="cell" className="tt-cell tt-ssh">
                        <TypeStatusCell type="ssh" summary={r.types.ssh} />
                      </div>
                      <div role="cell" className="tt-cell tt-smtp">
                        <TypeStatusCell type="smtp" summary={r.types.smtp} />
                      </div>
                      <div role="cell" className="tt-cell tt-apiCount">
                        <TypeStatusCell type="api" summary={r.types.api} />
                      </div>
                      <div role="cell" className="tt-cell tt-dkimCount">
                        <TypeStatusCell type="dkim" summary={r.types.dkim} />
                      </div>
                      <div role="cell" className="tt-cell tt-lastRotation">
                        <Time value={r.lastRotation} />
                      </div>
                      <div role="cell" className="tt-cell tt-actions">
                        <button
                          type="button"
                          className="small"
                          onClick={() => select(r.tenantId === selected ? null : r.tenantId)}
                          aria-expanded={r.tenantId === selected}
                          data-testid="tenant-open"
                          aria-label={`Details of ${r.tenantId}`}
                        >
                          {r.tenantId === selected ? 'Hide' : 'Details'}
                        </button>
                        {r.problems > 0 && (
                          <span className="health health-grey" title="Secrets with missing or malformed metadata">
                            {r.problems} unknown
                          </span>
                        )}
                      </div>
                      {words && <MatchedLine row={r} words={words} />}
                    </>
                  ) : (
                    <div role="cell" className="tt-cell muted">
                      Loading…
                    </div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
