// Small parts of the audit filter bar: the live, debounced free-text search (like the
// tenant search; Enter applies at once), the "hide console housekeeping" toggle, and
// the banner of a credential's audit trail.
import { useEffect, useRef, useState } from 'react';
import { useAuditStore } from '../store';

export const TEXT_DEBOUNCE_MS = 300;

export function AuditTextSearch() {
  const current = useAuditStore((s) => s.filter.text ?? '');
  const setFilter = useAuditStore((s) => s.setFilter);
  const [text, setText] = useState(current);
  const applied = useRef(current);
  // A filter set elsewhere (a trail, clearing) shows here.
  useEffect(() => {
    if (current !== applied.current) {
      applied.current = current;
      setText(current);
    }
  }, [current]);
  useEffect(() => {
    if (text === applied.current) return;
    const t = window.setTimeout(() => {
      applied.current = text;
      setFilter({ text });
    }, TEXT_DEBOUNCE_MS);
    return () => window.clearTimeout(t);
  }, [text, setFilter]);
  return (
    <input
      type="search"
      placeholder="Search path, user, IP…"
      title="Filters as you type (Enter applies at once): path, user, tenant, IP or error"
      aria-label="Search path, user, tenant, IP or error"
      data-testid="audit-filter-text"
      value={text}
      maxLength={200}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          applied.current = text;
          setFilter({ text });
        }
      }}
      autoComplete="off"
    />
  );
}

export function HousekeepingToggle() {
  const hide = useAuditStore((s) => s.filter.hideHousekeeping === true);
  const setFilter = useAuditStore((s) => s.setFilter);
  return (
    <label
      className="audit-housekeeping"
      title="Successful LISTs and metadata reads, the console's status probes (health, metrics, capabilities, token renewal) and change-stamp writes. Never a secret read, a write, a delete, a sign-in or anything denied or failed."
    >
      <input type="checkbox" checked={hide} onChange={(e) => setFilter({ hideHousekeeping: e.target.checked })} data-testid="audit-hide-housekeeping" /> Hide console housekeeping
    </label>
  );
}

export function TrailBanner() {
  const trail = useAuditStore((s) => s.trail);
  const clearTrail = useAuditStore((s) => s.clearTrail);
  if (!trail) return null;
  return (
    <p className="notice audit-trail" role="status" data-testid="audit-trail">
      Audit trail of <strong>{trail.label}</strong>: every event on this credential (tenant {trail.tenant}, {trail.secretType.toUpperCase()}).{' '}
      <button type="button" className="link-button" onClick={clearTrail} data-testid="audit-trail-clear">
        Show all events
      </button>
    </p>
  );
}
