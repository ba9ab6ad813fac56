import { useEffect, useState } from 'react';
import { GatedButton } from '../../../components/GatedButton';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES, useAuditStore } from '../store';
import { EvidencePanel } from '../../evidence';
import { Time } from '../../../lib/Time';
import { AlertSettingsForm } from './AlertSettingsForm';
import { AuditChart } from './AuditChart';
import { AuditTextSearch, HousekeepingToggle, TrailBanner } from './AuditFilterParts';
import { ApprovalsPanel } from './ApprovalsPanel';
import { ArchivesPanel } from './ArchivesPanel';
import { AuditTable } from './AuditTable';
import { ImportPanel } from './ImportPanel';
import { AuditSourceBadge } from '../../audit-source/AuditSourceBadge';
import { AuditSourcePanel } from '../../audit-source/AuditSourcePanel';

interface Props {
  refreshMs: number;
}

const TYPE_LABEL: Record<string, string> = { ssh: 'SSH', smtp: 'SMTP', api: 'API Keys', dkim: 'DKIM', profile: 'Profile', none: 'None' };

const TABS = [
  ['events', 'Events'],
  ['approvals', 'Deletion approvals'],
  ['alert-settings', 'Alert thresholds'],
  ['import', 'Import'],
  ['archives', 'Archives'],
  ['evidence', 'Evidence packs'],
  ['source', 'Source'],
] as const;
type Tab = (typeof TABS)[number][0];

export function AuditView({ refreshMs }: Props) {
  const s = useAuditStore();
  const { start } = s;
  // The spec's stream refreshes every 5 s; the harness may shorten it for tests.
  useEffect(() => start(Math.min(refreshMs, 5_000)), [start, refreshMs]);
  const [tab, setTab] = useState<Tab>('events');
  // A saved source is shown at once: the badge asks again, the events are read again.
  const [sourceSaves, setSourceSaves] = useState(0);

  return (
    <div className="view" data-testid="audit-view">
      <div className="view-header">
        <h1>Audit Log</h1>
        <div className="view-actions">
          <span className="muted" data-testid="audit-stream-state" aria-live="polite">
            {s.paused ? 'Paused' : s.stream?.running ? 'Live' : 'Not streaming'}
            {s.paused && s.pausedAt ? (
              <span data-testid="audit-paused-at" title="While paused, the table, counts, chart and alerts end at the pause, whatever the filter">
                {' '}
                at <Time value={s.pausedAt} /> (nothing newer shown)
              </span>
            ) : null}
            {s.lastRefresh ? (
              <>
                {' '}
                · updated <Time value={s.lastRefresh} />
              </>
            ) : null}
          </span>
          <button type="button" data-testid="audit-follow-choose" title="Main opens a file dialog; the file must be a regular file" onClick={() => void s.followLog('choose')}>
            Follow a log file…
          </button>
          <GatedButton gate={{ action: 'audit.devices' }} testId="audit-follow-vault" title="The file audit device that Vault's sys/audit reports" onClick={() => void s.followLog('sys-audit')}>
            Follow Vault's file device
          </GatedButton>
          <button type="button" data-testid="audit-pause" onClick={() => s.setPaused(!s.paused)}>
            {s.paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" data-testid="audit-export-csv" onClick={() => void s.exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" data-testid="audit-export-json" onClick={() => void s.exportAs('json')}>
            Export JSON
          </button>
          <button type="button" data-testid="audit-export-ndjson" title="One event per line: for large sets" onClick={() => void s.exportAs('ndjson')}>
            Export NDJSON
          </button>
        </div>
      </div>

      <AuditSourceBadge key={sourceSaves} refreshMs={Math.min(refreshMs, 5_000)} />
      {s.stream?.path && (
        <p className="muted small" data-testid="audit-stream-path">
          Following <code>{s.stream.path}</code> ({s.stream.origin === 'sys-audit' ? "Vault's sys/audit" : 'chosen file'})
          {s.stream.lastError ? ` · ${s.stream.lastError}` : ''}
        </p>
      )}
      {(s.stream?.warnings ?? []).map((w) => (
        <p key={w} className="error" role="alert" data-testid="audit-stream-warning">
          {w}
        </p>
      ))}

      <div className="segmented audit-tabs" role="tablist" data-testid="audit-tabs">
        {TABS.map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'active' : ''} onClick={() => setTab(id)} data-testid={`audit-tab-${id}`}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'approvals' && <ApprovalsPanel />}
      {tab === 'alert-settings' && <AlertSettingsForm />}
      {tab === 'import' && <ImportPanel />}
      {tab === 'archives' && <ArchivesPanel />}
      {tab === 'evidence' && <EvidencePanel filter={s.filter} />}
      {tab === 'source' && (
        <AuditSourcePanel
          onSaved={() => {
            setSourceSaves((n) => n + 1);
            void s.sourceChanged();
          }}
        />
      )}
      {tab === 'events' && <EventsPanel />}
    </div>
  );
}

/** Filters, alerts, counts and the windowed table of the live stream. */
function EventsPanel() {
  const s = useAuditStore();
  const f = s.filter;
  return (
    <>
      <div className="audit-filters" data-testid="audit-filters">
        <select aria-label="Tenant" data-testid="audit-filter-tenant" value={f.tenant ?? ''} onChange={(e) => s.setFilter({ tenant: e.target.value })}>
          <option value="">All tenants</option>
          {(f.tenant && !s.facets.tenants.includes(f.tenant) ? [f.tenant, ...s.facets.tenants] : s.facets.tenants).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <select aria-label="Secret type" data-testid="audit-filter-type" value={f.secretType ?? ''} onChange={(e) => s.setFilter({ secretType: (e.target.value || undefined) as typeof f.secretType })}>
          <option value="">All secret types</option>
          {AUDIT_SECRET_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABEL[t]}
            </option>
          ))}
        </select>
        <select aria-label="Action" data-testid="audit-filter-action" value={f.action ?? ''} onChange={(e) => s.setFilter({ action: (e.target.value || undefined) as typeof f.action })}>
          <option value="">All actions</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <select aria-label="Admin user" data-testid="audit-filter-user" value={f.user ?? ''} onChange={(e) => s.setFilter({ user: e.target.value })}>
          <option value="">All users</option>
          {s.facets.users.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
        <label>
          From <input type="date" data-testid="audit-filter-from" value={f.from ?? ''} onChange={(e) => s.setFilter({ from: e.target.value })} />
        </label>
        <label>
          To <input type="date" data-testid="audit-filter-to" value={f.to ?? ''} onChange={(e) => s.setFilter({ to: e.target.value })} />
        </label>
        <AuditTextSearch />
        <HousekeepingToggle />
      </div>
      <TrailBanner />

      {s.error && (
        <p className="error" role="alert" data-testid="audit-error">
          {s.error}
        </p>
      )}
      {s.exportResult && (
        <p className="muted" data-testid="audit-export-result">
          Exported {s.exportResult.count} events to <code>{s.exportResult.path}</code> · SHA-256 <code data-testid="audit-export-sha256">{s.exportResult.sha256}</code>
        </p>
      )}

      {s.sideError && !s.failed && (
        <p className="error" role="alert" data-testid="audit-side-error">
          {s.sideError}
        </p>
      )}
      <div className="audit-alerts" data-testid="audit-alerts">
        {s.alerts.map((a) => (
          <button type="button" key={a.id} className={`audit-alert tone-${a.severity}`} data-testid={`audit-alert-${a.kind}`} onClick={() => void s.openAlert(a)}>
            <strong>{a.severity === 'red' ? '● ' : '▲ '}</strong>
            {a.title} <span className="muted">({a.eventCount} events)</span> <span className="muted small">{a.detail}</span>
          </button>
        ))}
      </div>
      {(s.alertsTotal > s.alerts.length || s.alertsPartialSince) && (
        <p className="muted small" data-testid="audit-alerts-scope">
          {s.alertsTotal > s.alerts.length ? `Showing ${s.alerts.length.toLocaleString('en-US')} of ${s.alertsTotal.toLocaleString('en-US')} alerts (red first, newest first). ` : ''}
          {s.alertsPartialSince ? (
            <>
              Alerts cover events from <Time value={s.alertsPartialSince} /> on (the newest 100,000 of each kind); pick an earlier date range to check older ones.
            </>
          ) : null}
        </p>
      )}
      {s.alertEvents && (
        <div className="audit-alert-events" data-testid="audit-alert-events">
          <button type="button" onClick={s.closeAlert} data-testid="audit-alert-close">
            Close
          </button>
          <AuditTable events={s.alertEvents.events} testId="audit-alert-table" />
        </div>
      )}

      {s.failed ? (
        <p className="error" data-testid="audit-unavailable">
          No events, counts or chart are shown: the audit source did not answer this in full (see above), and a part is never shown as the whole.
        </p>
      ) : (
        <EventsResult />
      )}
    </>
  );
}

/** The chart, counts, breakdown and table of a complete answer. */
function EventsResult() {
  const s = useAuditStore();
  const f = s.filter;
  const breakdown = Object.entries(s.byAction).sort((a, b) => b[1] - a[1]);
  return (
    <>
      <AuditChart chart={s.chart} hidingHousekeeping={f.hideHousekeeping === true} />
      <p className="muted" data-testid="audit-count">
        {s.total.toLocaleString('en-US')}
        {s.capped ? '+' : ''} events · {s.events.length.toLocaleString('en-US')} loaded
      </p>
      {breakdown.length > 0 && (
        <p className="muted small" data-testid="audit-breakdown">
          {s.byActionOf < s.total || s.capped ? `Newest ${s.byActionOf.toLocaleString('en-US')}: ` : ''}
          {breakdown.map(([action, n]) => (
            <span key={action} className="audit-chip" data-testid={`audit-breakdown-${action}`}>
              {action} {n.toLocaleString('en-US')}
            </span>
          ))}
        </p>
      )}
      <AuditTable
        events={s.events}
        onEnd={() => void s.loadMore()}
        testId="audit-table"
        empty={s.lastRefresh !== null && !s.loading && s.total === 0 ? (f.hideHousekeeping ? 'No events match these filters. Console housekeeping is hidden: untick “Hide console housekeeping” to include it.' : 'No events match these filters.') : null}
      />
    </>
  );
}
