// A windowed table: only the rows in view (plus a margin) are in the DOM, so 10,000+
// tenants scroll smoothly. Pages of rows are fetched from main as they come into view.
import { useEffect, useRef, useState, type UIEvent } from 'react';
import type { TenantRow } from '../../../../../shared/contract';
import { day, useTenantsStore, type Filters } from '../store';
import { HealthBadge } from './HealthBadge';

export const ROW_HEIGHT = 36;
const VIEW_ROWS = 16;
const OVERSCAN = 8;

const COLUMNS: Array<{ id: Filters['sort']; label: string; className?: string }> = [
  { id: 'tenantId', label: 'Tenant ID' },
  { id: 'name', label: 'Tenant Name' },
  { id: 'vpsIp', label: 'VPS IP' },
  { id: 'ssh', label: 'SSH Status' },
  { id: 'smtp', label: 'SMTP Status' },
  { id: 'apiCount', label: 'API Keys', className: 'num' },
  { id: 'dkimCount', label: 'DKIM Keys', className: 'num' },
  { id: 'lastRotation', label: 'Last Rotation' },
  { id: 'actions', label: 'Actions' },
];

export function TenantTable() {
  const { filters, total, rows, toggleSort, ensureRange, select, selected, generation, shownQuery } = useTenantsStore();
  const [scrollTop, setScrollTop] = useState(0);
  const body = useRef<HTMLDivElement>(null);

  // A new search starts at the top.
  useEffect(() => {
    if (body.current) body.current.scrollTop = 0;
    setScrollTop(0);
  }, [generation]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total - 1, Math.floor(scrollTop / ROW_HEIGHT) + VIEW_ROWS + OVERSCAN);
  useEffect(() => {
    if (total > 0) ensureRange(first, last);
  }, [first, last, total, ensureRange, rows]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop);
  const visible: Array<[number, TenantRow | undefined]> = [];
  for (let i = first; i <= last; i++) visible.push([i, rows.get(i)]);

  return (
    <div className="tenant-table" role="table" aria-label="Tenants" aria-rowcount={total + 1} data-testid="tenant-table" data-query={shownQuery}>
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
      <div className="tt-body" ref={body} onScroll={onScroll} style={{ height: Math.min(VIEW_ROWS, Math.max(total, 1)) * ROW_HEIGHT }} data-testid="tenant-table-body">
        <div style={{ height: total * ROW_HEIGHT, position: 'relative' }}>
          {visible.map(([i, r]) => (
            <div
              key={i}
              role="row"
              aria-rowindex={i + 2}
              className={`tt-row${r && r.tenantId === selected ? ' selected' : ''}`}
              style={{ position: 'absolute', top: i * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0 }}
              data-testid={r ? 'tenant-row' : 'tenant-row-loading'}
              data-tenant-id={r?.tenantId}
            >
              {r ? (
                <>
                  <div role="cell" className="tt-cell tt-tenantId">
                    <code>{r.tenantId}</code>
                  </div>
                  <div role="cell" className="tt-cell tt-name" title={r.name}>
                    {r.name || <span className="muted">(no name)</span>}
                  </div>
                  <div role="cell" className="tt-cell tt-vpsIp">
                    {r.vpsIp}
                  </div>
                  <div role="cell" className="tt-cell tt-ssh">
                    <HealthBadge health={r.ssh} testId="cell-ssh" />
                  </div>
                  <div role="cell" className="tt-cell tt-smtp">
                    <HealthBadge health={r.smtp} testId="cell-smtp" />
                  </div>
                  <div role="cell" className="tt-cell tt-apiCount num">
                    {r.apiCount}
                  </div>
                  <div role="cell" className="tt-cell tt-dkimCount num">
                    {r.dkimCount}
                  </div>
                  <div role="cell" className="tt-cell tt-lastRotation">
                    {day(r.lastRotation)}
                  </div>
                  <div role="cell" className="tt-cell tt-actions">
                    <button type="button" className="small" onClick={() => select(r.tenantId)} data-testid="tenant-open" aria-label={`Details of ${r.tenantId}`}>
                      Details
                    </button>
                    {r.problems > 0 && (
                      <span className="health health-grey" title="Secrets with missing or malformed metadata">
                        {r.problems} unknown
                      </span>
                    )}
                  </div>
                </>
              ) : (
                <div role="cell" className="tt-cell muted">
                  Loading…
                </div>
              )}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
