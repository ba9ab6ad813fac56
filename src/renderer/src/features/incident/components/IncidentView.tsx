import { useEffect, useState } from 'react';
import type { BlastRadiusInput, IdentityKindName, JobSummary } from '../../../../../shared/contract';
import { targetOfPath } from '../../../../../shared/rotation/rules';
import { GatedButton } from '../../../components/GatedButton';
import { NewApiKeyPanel } from '../../rotation';
import { useIncidentStore } from '../store';

const KINDS: Array<[IdentityKindName, string, string]> = [
  ['user', 'User', 'mallory'],
  ['entity', 'Entity id', '7d2e…-…'],
  ['accessor', 'Token accessor', 'hmac-sha256:… or the plain accessor'],
  ['address', 'Source address', '203.0.113.7'],
];

/** A datetime-local value (local time) as ISO UTC; '' stays ''. */
function toIso(local: string): string {
  if (!local) return '';
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? local : t.toISOString();
}

function when(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

/** "What did this identity read since T, and rotate all of it, now." */
export function IncidentView() {
  const s = useIncidentStore();
  const { list, makePreview, clearPreview, start, act, load, listen, showReport, rotateApiKey } = useIncidentStore.getState();
  const [kind, setKind] = useState<IdentityKindName>('user');
  const [value, setValue] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [incidentId, setIncidentId] = useState('');
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');

  useEffect(() => {
    void load();
    return listen();
  }, [load, listen]);
  useEffect(() => setConfirm(''), [s.preview?.previewId]);

  const r = s.radius;
  const p = s.preview;
  const submit = () => {
    const q: BlastRadiusInput = { identity: { kind, value: value.trim() }, since: toIso(since), ...(until ? { until: toIso(until) } : {}) };
    void list(q);
  };

  return (
    <div className="view" data-testid="incident-view">
      <div className="view-header">
        <h1>Incident response</h1>
      </div>
      <section className="card">
        <h2>What did this identity read?</h2>
        <form
          className="incident-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label>
            Identity
            <select value={kind} onChange={(e) => setKind(e.target.value as IdentityKindName)} data-testid="incident-kind">
              {KINDS.map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            {KINDS.find((k) => k[0] === kind)![1]}
            <input value={value} onChange={(e) => setValue(e.target.value)} placeholder={KINDS.find((k) => k[0] === kind)![2]} data-testid="incident-value" />
          </label>
          <label>
            Since <input type="datetime-local" step="1" value={since} onChange={(e) => setSince(e.target.value)} data-testid="incident-since" />
          </label>
          <label>
            Until <input type="datetime-local" step="1" value={until} onChange={(e) => setUntil(e.target.value)} data-testid="incident-until" />
            <span className="muted small">empty: now</span>
          </label>
          <button type="submit" className="primary" disabled={s.busy || value.trim() === '' || since === ''} data-testid="incident-list">
            List what it read
          </button>
        </form>
        {s.error && (
          <p className="error" role="alert" data-testid="incident-error">
            {s.error}
          </p>
        )}
        {s.busy && <p className="muted">Working…</p>}
        {r && (
          <div data-testid="incident-radius">
            <p data-testid="incident-summary">
              <strong>
                {r.secrets.length} secret(s) in {r.tenants} tenant(s)
              </strong>{' '}
              read, revealed or downloaded by {r.identity.kind} <code>{r.identity.value}</code> from {when(r.since)} to {when(r.until)} UTC (mount <code>{r.mount}</code>).
            </p>
            <p className="muted small" data-testid="incident-source">
              Counted on the audit source: {r.auditSource}.
            </p>
            {r.notes.map((n) => (
              <p key={n} className="muted small">
                {n}
              </p>
            ))}
            {r.secrets.length > 0 && (
              <table className="incident-table" data-testid="incident-secrets">
                <thead>
                  <tr>
                    <th>Secret</th>
                    <th>Type</th>
                    <th>Reads</th>
                    <th>Reveals</th>
                    <th>Downloads</th>
                    <th>First</th>
                    <th>Last</th>
                    <th>Changed since</th>
                  </tr>
                </thead>
                <tbody>
                  {r.secrets.map((x) => (
                    <tr key={x.path} data-testid="incident-secret">
                      <td className="mono">{x.path}</td>
                      <td>{x.type}</td>
                      <td>{x.reads}</td>
                      <td>{x.reveals}</td>
                      <td>{x.downloads}</td>
                      <td>{when(x.first)}</td>
                      <td>{when(x.last)}</td>
                      <td className={x.rotatedSince === false ? 'warning-text' : ''}>{x.gone ? 'gone' : x.rotatedSince === null ? '?' : x.rotatedSince ? `yes (v${x.currentVersion})` : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {r.otherMounts.length > 0 && (
              <details>
                <summary>{r.otherMounts.length} path(s) in other KV mounts (not rotated from here)</summary>
                <ul>
                  {r.otherMounts.map((o) => (
                    <li key={o.path} className="mono">
                      {o.path} ({o.count})
                    </li>
                  ))}
                </ul>
              </details>
            )}
            {r.secrets.length > 0 && (
              <form
                className="rotation-actions"
                onSubmit={(e) => {
                  e.preventDefault();
                  void makePreview(incidentId.trim());
                }}
              >
                <label>
                  Incident ID <input value={incidentId} onChange={(e) => setIncidentId(e.target.value)} placeholder="INC-2041" data-testid="incident-id" />
                </label>
                {/* The preview asks Vault (sys/capabilities-self) for every secret's exact paths and lists what this identity may not rotate. */}
                <button type="submit" className="danger" disabled={incidentId.trim() === '' || s.busy} data-testid="incident-preview">
                  Rotate all of it…
                </button>
              </form>
            )}
          </div>
        )}
      </section>

      {p && (
        <section className="card">
          <form
            className="rotation-preview"
            data-testid="incident-preview-panel"
            onSubmit={(e) => {
              e.preventDefault();
              void start(confirm, reason).then((ok) => ok && setReason(''));
            }}
          >
            <h3>{p.label}</h3>
            <p data-testid="incident-preview-summary">
              {p.total} secret(s) in {p.tenants} tenant(s): SSH {p.byType.ssh}, SMTP {p.byType.smtp}, DKIM {p.byType.dkim}. Emergency rotation: no grace period; the old credentials stop working at once. Incident <strong>{p.incidentId}</strong> goes into every new version and the audit trail.
            </p>
            {p.excluded.length > 0 && (
              <div data-testid="incident-excluded">
                <p>Left out of the job:</p>
                <ul>
                  {p.excluded.map((x) => (
                    <li key={x.path}>
                      <span className="mono">{x.path}</span>: {x.reason}{' '}
                      {x.type === 'api' &&
                        (s.apiKeysDone[x.path] !== undefined ? (
                          <span className="muted">rotated (v{s.apiKeysDone[x.path]})</span>
                        ) : (
                          <GatedButton
                            gate={{ action: 'secrets.rotate', tenantId: x.path.split('/')[0]!, target: `api:${targetOfPath(x.path)?.name ?? ''}` }}
                            className="small"
                            onClick={() => void rotateApiKey(p.incidentId, x.path)}
                            testId="incident-rotate-api-key"
                          >
                            Rotate this key
                          </GatedButton>
                        ))}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {p.total > 0 && (
              <>
                <label>
                  Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={p.defaultReason} data-testid="incident-reason" />
                </label>
                <label>
                  Type <strong className="mono">{p.confirmPhrase}</strong> to confirm
                  <input value={confirm} onChange={(e) => setConfirm(e.target.value)} data-testid="incident-confirm" />
                </label>
              </>
            )}
            <div className="rotation-actions">
              {p.total > 0 && (
                <button type="submit" className="danger" disabled={confirm.trim() !== p.confirmPhrase} data-testid="incident-start">
                  Start emergency rotation
                </button>
              )}
              <button type="button" onClick={clearPreview}>
                Cancel
              </button>
            </div>
          </form>
          <NewApiKeyPanel />
        </section>
      )}

      <section className="card">
        <h2>Incident jobs</h2>
        {s.jobs.length === 0 && <p className="muted">No incident jobs yet.</p>}
        {s.jobs.map((j) => (
          <IncidentJob key={j.id} job={j} onAct={(a) => void act(a, j.id)} onReport={() => void showReport(j.id)} />
        ))}
        {s.report && (
          <div className="rotation-report" data-testid="incident-report">
            <h3>
              Report: incident {s.report.incidentId} <span className="muted">({s.report.job.id})</span>
            </h3>
            <p data-testid="incident-report-summary">
              {s.report.job.status}: {s.report.job.done} rotated, {s.report.job.failed} failed, {s.report.job.skipped} skipped, {s.report.job.remaining} remaining
            </p>
            {s.report.job.failures.length + s.report.job.skippedItems.length > 0 && (
              <ul>
                {s.report.job.failures.map((f) => (
                  <li key={f.path}>
                    <span className="mono">{f.path}</span> failed [{f.code}]: {f.reason}
                  </li>
                ))}
                {s.report.job.skippedItems.map((k) => (
                  <li key={k.path}>
                    <span className="mono">{k.path}</span> skipped: {k.reason}
                  </li>
                ))}
              </ul>
            )}
            {s.report.apiKeys.length > 0 && (
              <p>
                API keys to rotate one by one: {s.report.apiKeys.map((a) => (s.apiKeysDone[a] !== undefined ? `${a} (done)` : a)).join(', ')}
              </p>
            )}
            <details>
              <summary>{s.report.rotated.length} rotated</summary>
              <ul>
                {s.report.rotated.map((x) => (
                  <li key={x.path} className="mono">
                    {x.path} → v{x.version}
                  </li>
                ))}
              </ul>
            </details>
          </div>
        )}
      </section>
    </div>
  );
}

function IncidentJob({ job: j, onAct, onReport }: { job: JobSummary; onAct(a: 'rotation:cancel' | 'rotation:pause' | 'rotation:resume'): void; onReport(): void }) {
  const finished = j.done + j.failed + j.skipped;
  return (
    <div className={`rotation-job status-${j.status}`} data-testid="incident-job" data-status={j.status}>
      <div>
        <strong>{j.incidentId}</strong> {j.label} <span className="muted">{j.id}</span> — <span data-testid="incident-job-status">{j.status}</span>
        {j.pauseReason && <span className="rotation-warning"> {j.pauseReason}</span>}
      </div>
      <progress max={j.total} value={finished} />
      <div className="muted">
        done {j.done} · failed {j.failed} · skipped {j.skipped} · changed since preview {j.changed} · remaining {j.remaining}
      </div>
      <div className="rotation-actions">
        {j.status === 'running' && (
          <>
            <button type="button" className="small" onClick={() => onAct('rotation:pause')} data-testid="incident-job-pause">
              Pause
            </button>
            <button type="button" className="small danger" onClick={() => onAct('rotation:cancel')} data-testid="incident-job-cancel">
              Cancel
            </button>
          </>
        )}
        {(j.status === 'paused' || j.status === 'interrupted') && (
          <button type="button" className="small" onClick={() => onAct('rotation:resume')} data-testid="incident-job-resume">
            Resume
          </button>
        )}
        <button type="button" className="small" onClick={onReport} data-testid="incident-show-report">
          Report
        </button>
      </div>
    </div>
  );
}
