// Audit months and where their events are: hot (SQLite), archived (a gzip'd file
// with its SHA-256 in the manifest) or reopened (loaded back from the archive).
// The retention policy runs at start and daily; a month can be archived or
// reopened by hand.
import { useEffect, useState, type FormEvent } from 'react';
import { useArchivesStore } from '../store';
import { Time } from '../../../lib/Time';

const STATE_LABEL: Record<string, string> = { hot: 'Hot', archived: 'Archived', reopened: 'Reopened' };

export function ArchivesPanel() {
  const s = useArchivesStore();
  const { load } = s;
  const [policy, setPolicy] = useState<{ archiveAfterMonths: string; retentionYears: string } | null>(null);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (s.view && !policy) setPolicy({ archiveAfterMonths: String(s.view.policy.archiveAfterMonths), retentionYears: String(s.view.policy.retentionYears) });
  }, [s.view, policy]);

  const thisMonth = new Date().toISOString().slice(0, 7);
  const m = s.view?.maintenance;

  const savePolicy = async (e: FormEvent) => {
    e.preventDefault();
    if (policy) await s.setPolicy(policy);
  };

  return (
    <section className="card" data-testid="audit-archives">
      <h2>Archives and retention</h2>
      {policy && (
        <form className="retention-form" onSubmit={(e) => void savePolicy(e)} data-testid="retention-form">
          <label>
            Archive months older than{' '}
            <input value={policy.archiveAfterMonths} onChange={(e) => setPolicy({ ...policy, archiveAfterMonths: e.target.value })} inputMode="numeric" size={4} data-testid="retention-archive-after" /> months
          </label>
          <label>
            Delete after{' '}
            <input value={policy.retentionYears} onChange={(e) => setPolicy({ ...policy, retentionYears: e.target.value })} inputMode="numeric" size={4} data-testid="retention-years" /> years
          </label>
          <button type="submit" disabled={s.busy !== null} data-testid="retention-save">
            Save policy
          </button>
        </form>
      )}
      {s.view && (
        <p className="muted small">
          Archive folder <code data-testid="archives-dir">{s.view.archiveDir}</code> (manifest.json lists each file with its SHA-256).
        </p>
      )}
      {m && (
        <p className="muted small" data-testid="retention-status">
          Retention runs at start and daily.
          {m.lastRunAt ? (
            <>
              {' '}
              Last run <Time value={m.lastRunAt} />: archived {m.lastArchived.join(', ') || 'nothing'}, deleted {m.lastDropped.join(', ') || 'nothing'}.
            </>
          ) : (
            ' Not run yet.'
          )}
          {m.nextRunAt ? (
            <>
              {' '}
              Next run <Time value={m.nextRunAt} />.
            </>
          ) : null}
          {m.lastError ? ` Last error: ${m.lastError}` : ''}
        </p>
      )}
      {s.error && (
        <p className="error" role="alert" data-testid="archives-error">
          {s.error}
        </p>
      )}
      {s.notice && (
        <p className="muted" data-testid="archives-notice">
          {s.notice}
        </p>
      )}
      <table className="data" data-testid="archives-table">
        <thead>
          <tr>
            <th>Month</th>
            <th>State</th>
            <th>Events</th>
            <th>Archive</th>
            <th>SHA-256</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {s.view && s.view.months.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No audit events stored yet.
              </td>
            </tr>
          )}
          {s.view?.months.map((row) => (
            <tr key={row.month} data-testid="archive-row" data-month={row.month} data-state={row.state}>
              <td>{row.month}</td>
              <td data-testid="archive-state">{STATE_LABEL[row.state] ?? row.state}</td>
              <td data-testid="archive-events">{row.events.toLocaleString('en-US')}</td>
              <td>{row.archiveFile ? <code>{row.archiveFile}</code> : '—'}</td>
              <td>
                {row.sha256 ? (
                  <code title={row.sha256} data-testid="archive-sha256">
                    {row.sha256}
                  </code>
                ) : (
                  '—'
                )}
              </td>
              <td>
                {row.state !== 'archived' && (
                  <button
                    type="button"
                    disabled={s.busy !== null || row.month >= thisMonth}
                    title={row.month >= thisMonth ? 'The current month is still being written.' : 'Compress this month to an archive with a checksum and remove it from the live store'}
                    onClick={() => void s.archive(row.month)}
                    data-testid="archive-month"
                  >
                    Archive
                  </button>
                )}
                {row.state === 'archived' && (
                  <button type="button" disabled={s.busy !== null} onClick={() => void s.reopen(row.month)} data-testid="reopen-month">
                    Reopen
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
