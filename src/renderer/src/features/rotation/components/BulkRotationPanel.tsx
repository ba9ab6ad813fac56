import { useEffect, useState } from 'react';
import type { JobReport, JobSummary } from '../../../../../shared/contract';
import { useRotationStore } from '../store';
import { JobDnsRecords } from '../../dkim-dns';
import { BulkPreview } from './BulkPreview';

function eta(s: number | null): string {
  if (s === null) return '–';
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

type OverdueScope = 'all' | 'ssh' | 'smtp' | 'dkim';
const SCOPES: Array<[OverdueScope, string]> = [
  ['all', 'every type'],
  ['ssh', 'SSH keys'],
  ['smtp', 'SMTP credentials'],
  ['dkim', 'DKIM keys'],
];

/**
 * Rotate All SSH Keys / All SMTP Credentials / Overdue Secrets (of a chosen type): preview,
 * typed confirmation, live job, report. The report lists what changed since the preview
 * (never rotated by the job) with "Rotate these now", which makes a new, previewed job.
 */
export function BulkRotationPanel() {
  const { preview, previewOrigin, previewBusy, jobs, report, error } = useRotationStore();
  const { load, listen, makePreview, act, showReport } = useRotationStore.getState();
  const [scope, setScope] = useState<OverdueScope>('all');

  useEffect(() => {
    void load();
    return listen();
  }, [load, listen]);

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
        <span className="rotation-scope">
          <button type="button" disabled={previewBusy} onClick={() => void makePreview(scope === 'all' ? { mode: 'overdue' } : { mode: 'overdue', types: [scope] })} data-testid="bulk-overdue">
            Rotate Overdue Secrets
          </button>
          <label>
            <span className="visually-hidden">Overdue secrets of</span>
            <select value={scope} onChange={(e) => setScope(e.target.value as OverdueScope)} data-testid="bulk-overdue-type" aria-label="Overdue secrets of">
              {SCOPES.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
        </span>
      </div>
      <p className="muted small">API keys are never rotated in bulk (their new key must be handed over): the preview lists them to rotate one by one.</p>
      {previewBusy && <p className="muted">Counting the secrets and checking your permissions…</p>}
      {error && (
        <p className="error" role="alert" data-testid="bulk-error">
          {error}
        </p>
      )}
      {preview && previewOrigin === 'rotation' && <BulkPreview preview={preview} />}
      <h3>Jobs</h3>
      <p className="muted small" data-testid="bulk-jobs-note">
        Jobs run from this computer, kept in its local database, by whoever used it; another console&apos;s jobs are not listed here.
      </p>
      {jobs.length === 0 && <p className="muted">No rotation jobs yet.</p>}
      {jobs.map((j) => (
        <JobRow key={j.id} job={j} onAct={(a) => void act(a, j.id)} onReport={() => void showReport(j.id)} />
      ))}
      {report && <JobReportView report={report} busy={previewBusy} onRotateChanged={() => void makePreview({ mode: 'changed', jobId: report.id })} />}
      {report && <JobDnsRecords jobId={report.id} />}
    </section>
  );
}

function JobReportView({ report, busy, onRotateChanged }: { report: JobReport; busy: boolean; onRotateChanged(): void }) {
  return (
    <div className="rotation-report" data-testid="bulk-report">
      <h3>
        Report: {report.label} <span className="muted">({report.id})</span>
      </h3>
      <p className="muted small" data-testid="bulk-report-owner">
        Started by {report.actor}
        {report.mine ? ' (you)' : ''} on {report.vaultAddress ?? 'an unrecorded Vault'}, mount {report.mount}
        {report.here ? '' : ' (not the active connection)'}
      </p>
      <p data-testid="bulk-report-summary">
        {report.status}: {report.done} rotated, {report.failed} failed, {report.skipped} skipped, {report.remaining} remaining
        {report.changed > 0 ? `, ${report.changed} changed since the preview` : ''}
      </p>
      {report.changedItems.length > 0 && (
        <div className="notice" data-testid="bulk-report-changed">
          <p>
            <strong>{report.changed} secret(s) changed since the preview were not rotated</strong> (someone else wrote them after you previewed the job; nothing of
            theirs was overwritten).
          </p>
          <ul>
            {report.changedItems.map((k) => (
              <li key={k.path} data-testid="bulk-report-changed-item">
                <span className="mono">{k.path}</span>: {k.reason}
              </li>
            ))}
          </ul>
          {report.here && (
            <button type="button" disabled={busy} onClick={onRotateChanged} data-testid="bulk-rotate-changed">
              Rotate these now
            </button>
          )}
          <span className="muted small"> Makes a new job, previewed from Vault as they are now.</span>
        </div>
      )}
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
    </div>
  );
}

function JobRow({ job: j, onAct, onReport }: { job: JobSummary; onAct(a: 'rotation:cancel' | 'rotation:pause' | 'rotation:resume'): void; onReport(): void }) {
  const finished = j.done + j.failed + j.skipped + j.changed;
  const pct = j.total > 0 ? Math.round((finished * 100) / j.total) : 100;
  return (
    <div className={`rotation-job status-${j.status}`} data-testid="bulk-job" data-job-id={j.id} data-status={j.status}>
      <div>
        <strong>{j.label}</strong> <span className="muted">{j.id}</span> — <span data-testid="bulk-job-status">{j.status}</span>
        {j.pauseReason && <span className="rotation-warning"> {j.pauseReason}</span>}
      </div>
      <div className="muted small" data-testid="bulk-job-owner">
        by <strong>{j.actor}</strong>
        {j.mine ? ' (you)' : ' (another identity on this computer)'}
        {j.here ? '' : ` · on ${j.vaultAddress ?? 'another Vault'}, mount ${j.mount} (not the active connection)`}
      </div>
      <progress max={j.total} value={finished} aria-label={`${pct}%`} />
      <div className="muted" data-testid="bulk-job-progress">
        done {j.done} · failed {j.failed} · skipped {j.skipped} · remaining {j.remaining} · {j.rate}/s · ETA {eta(j.etaSeconds)}
        {j.changed > 0 ? ` · changed since preview ${j.changed}` : ''}
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
