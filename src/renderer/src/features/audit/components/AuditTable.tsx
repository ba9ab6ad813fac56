// A windowed table: only the rows in view (plus a margin) are in the DOM, so a
// million loaded rows scroll like fifty. Reaching the end loads the next page.
import { useState, type UIEvent } from 'react';
import type { AuditEventView } from '../../../../../shared/contract';
import { Time } from '../../../lib/Time';

const ROW_HEIGHT = 28;
const VIEW_HEIGHT = 480;
const OVERSCAN = 10;
// The console column is this feature's own: the grid is set here, not in the shared stylesheet.
const GRID = '190px 120px 90px 110px 90px 120px 80px 140px';
const CONFLICT_STYLE = { background: '#fdecea' };

interface Props {
  events: AuditEventView[];
  onEnd?: () => void;
  testId: string;
  /** What to say when there is nothing to list (null: say nothing yet, e.g. still loading). */
  empty?: string | null;
}

export function AuditTable({ events, onEnd, testId, empty }: Props) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(events.length, Math.ceil((top + VIEW_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    setTop(el.scrollTop);
    if (onEnd && el.scrollTop + el.clientHeight > el.scrollHeight - ROW_HEIGHT * 20) onEnd();
  };
  return (
    <div className="audit-table" data-testid={testId}>
      <div className="audit-row audit-head" role="row" style={{ gridTemplateColumns: GRID }}>
        <span>Timestamp</span>
        <span>Action</span>
        <span>Tenant</span>
        <span>User</span>
        <span>Secret Type</span>
        <span>IP Address</span>
        <span>Status</span>
        <span title="What the client's X-Vault-Console-Action header says (an annotation; Vault's record is the Action)">Console says</span>
      </div>
      {events.length === 0 && empty && (
        <p className="audit-empty" role="status" data-testid="audit-no-events">
          {empty}
        </p>
      )}
      <div className="audit-scroll" style={{ height: Math.min(VIEW_HEIGHT, Math.max(ROW_HEIGHT, events.length * ROW_HEIGHT)) }} onScroll={onScroll}>
        <div style={{ height: events.length * ROW_HEIGHT, position: 'relative' }}>
          {events.slice(first, last).map((e, i) => (
            <div
              key={e.id}
              className={`audit-row status-${e.status}${e.headerConflict ? ' header-conflict' : ''}`}
              role="row"
              data-testid="audit-row"
              data-conflict={e.headerConflict ? 'true' : undefined}
              title={`${e.path}${e.operation ? ` · Vault: ${e.operation}` : ''}${e.mount ? ` on ${e.mount}` : ''}${e.entityId ? ` · entity ${e.entityId}` : ''}`}
              style={{ position: 'absolute', top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0, gridTemplateColumns: GRID, ...(e.headerConflict ? CONFLICT_STYLE : {}) }}
            >
              <span>
                <Time value={e.ts} />
              </span>
              <span data-testid="audit-cell-action">{e.action}</span>
              <span data-testid="audit-cell-tenant">{e.tenant ?? '—'}</span>
              <span data-testid="audit-cell-user">{e.user || '—'}</span>
              <span>{e.secretType === 'none' ? '—' : e.secretType}</span>
              <span>{e.ip || '—'}</span>
              <span>{e.status}</span>
              <span data-testid="audit-cell-console" title={e.consoleHeader ?? ''}>
                {e.consoleHeader ? `${e.headerConflict ? '⚠ ' : ''}${e.consoleAction ?? e.consoleHeader}` : '—'}
              </span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
