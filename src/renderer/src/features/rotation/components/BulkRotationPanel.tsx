import { useEffect, useState } from 'react';
import type { JobSummary } from '../../../../../shared/contract';
import { useRotationStore } from '../store';
import { JobDnsRecords } from '../../dkim-dns';

function eta(s: number | null): string {
  if (s === null) return '–';
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** Rotate All SSH Keys / All SMTP Credentials / Overdue Secrets: preview, typed confirmation, live job, report. */
export function BulkRotationPanel() {
  const { preview, previewBusy, jobs, report, error } = useRotationStore();
  const { load, listen, makePreview, clearPreview, start, act, showReport } = useRotationStore.getState();
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');

  useEffect(() => {
    void load();
    return listen();
  }, [load, listen]);
  useEffect(() => {
    setConfirm('');
  }, [preview?.previewId]);

  return (
    <section className="card" data-testid="bulk-rotation">
      <h2>Bulk rotation</h2>
      <div className="rotation-actions">
        <button type="button" disabled={previewBusy} onClick={() => void makePreview({ mode: 'all', type: 'ssh' })} data-testid="bulk-all-ssh">
          Rotate All SSH Keys
        </button>
        <button type="button" disabled={previewBusy} onClick={() => void makePreview({ mode: 'all', type: 'smtp' })} data-testid="bulk-all-smtp">
          Rotate All SMTP Credentials
        </button>
        <button type="button" disabled={previewBusy} onClick={() => void makePreview({ mode: 'overdue' })} data-testid="bulk-overdue">
          Rotate Overdue Secrets
        </button>
      </div>
      {previewBusy && <p className="muted">Counting the secrets…</p>}
      {error && (
        <p className="error" role="alert" data-testid="bulk-error">
          {error}
        </p>
      )}
      {preview && (
        <form
          className="rotation-preview"
          data-testid="bulk-preview"
          onSubmit={(e) => {
            e.preventDefault();
            void start(confirm, reason).then((ok) => ok && setReason(''));
          }}
        >
          <h3>{preview.label}</h3>
          <p data-testid="bulk-preview-summary">
            {preview.total} secret(s) in {preview.tenants} tenant(s): SSH {preview.byType.ssh}, SMTP {preview.byType.smtp}, DKIM {preview.byType.dkim}, API {preview.byType.api}{' '}
            <span className="muted">(from {preview.source === 'index' ? 'the local index' : 'Vault'})</span>
          </p>
          {preview.total > 0 && (
            <>
              <label>
                Reason
                <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Quarterly security review" data-testid="bulk-reason" />
              </label>
              <label>
                Type <strong className="mono">{preview.confirmPhrase}</strong> to confirm
                <input value={confirm} onChange={(e) => setConfirm(e.target.value)} data-testid="bulk-confirm" />
              </label>
            </>
          )}
          <div className="rotation-actions">
            {preview.total > 0 && (
              <button type="submit" className="primary" disabled={confirm.trim() !== preview.confirmPhrase} data-testid="bulk-start">
                Start rotation
              </button>
            )}
            <button type="button" onClick={clearPreview}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <h3>Jobs</h3>
      {jobs.length === 0 && <p className="muted">No rotation jobs yet.</p>}
      {jobs.map((j) => (
        <JobRow key={j.id} job={j} onAct={(a) => void act(a, j.id)} onReport={() => void showReport(j.id)} />
      ))}
      {report && (
        <div className="rotation-report" data-testid="bulk-report">
          <h3>
            Report: {report.label} <span className="muted">({report.id})</span>
          </h3>
          <p data-testid="bulk-report-summary">
            {report.status}: {report.done} rotated, {report.failed} failed, {report.skipped} skipped, {report.remaining} remaining
          </p>
          {report.failures.length > 0 && (
            <table data-testid="bulk-report-failures">
              <thead>
                <tr>
                  <th>Secret</th>
                  <th>Error</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {report.failures.map((f) => (
                  <tr key={f.path}>
                    <td>{f.path}</td>
                    <td>{f.code}</td>
                    <td>{f.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {report.skippedItems.length > 0 && (
            <details>
              <summary>{report.skippedItems.length} skipped</summary>
              <ul>
                {report.skippedItems.map((k) => (
                  <li key={k.path}>
                    {k.path}: {k.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <JobDnsRecords jobId={report.id} />
        </div>
      )}
    </section>
  );
}

function JobRow({ job: j, onAct, onReport }: { job: JobSummary; onAct(a: 'rotation:cancel' | 'rotation:pause' | 'rotation:resume'): void; onReport(): void }) {
  const finished = j.done + j.failed + j.skipped;
  const pct = j.total > 0 ? Math.round((finished * 100) / j.total) : 100;
  return (
    <div className={`rotation-job status-${j.status}`} data-testid="bulk-job" data-job-id={j.id} data-status={j.status}>
      <div>
        <strong>{j.label}</strong> <span className="muted">{j.id}</span> — <span data-testid="bulk-job-status">{j.status}</span>
        {j.pauseReason && <span className="rotation-warning"> {j.pauseReason}</span>}
      </div>
      <progress max={j.total} value={finished} aria-label={`${pct}%`} />
      <div className="muted" data-testid="bulk-job-progress">
        done {j.done} · failed {j.failed} · skipped {j.skipped} · remaining {j.remaining} · {j.rate}/s · ETA {eta(j.etaSeconds)}
      </div>
      <div className="rotation-actions">
        {j.status === 'running' && (
          <>
            <button type="button" className="small" onClick={() => onAct('rotation:pause')}>
              Pause
            </button>
            <button type="button" className="small danger" onClick={() => onAct('rotation:cancel')} data-testid="bulk-cancel">
              Cancel
            </button>
          </>
        )}
        {(j.status === 'paused' || j.status === 'interrupted') && (
          <>
            <button type="button" className="small" onClick={() => onAct('rotation:resume')} data-testid="bulk-resume">
              Resume
            </button>
            <button type="button" className="small danger" onClick={() => onAct('rotation:cancel')}>
              Cancel
            </button>
          </>
        )}
        <button type="button" className="small" onClick={onReport} data-testid="bulk-show-report">
          Report
        </button>
      </div>
    </div>
  );
}
