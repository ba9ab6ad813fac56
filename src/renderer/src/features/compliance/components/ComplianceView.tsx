import { useState } from 'react';
import { useComplianceStore } from '../store';

function lastMonth(): { from: string; to: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);

/** SOC 2 secret-access report for a finished period: HTML, PDF and JSON in a signed evidence pack. */
export function ComplianceView() {
  const s = useComplianceStore();
  const { generate } = useComplianceStore.getState();
  const initial = lastMonth();
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const [name, setName] = useState('');
  const r = s.result;
  return (
    <div className="view" data-testid="compliance-view">
      <div className="view-header">
        <h1>Compliance</h1>
      </div>
      <section className="card">
        <h2>SOC 2 secret-access report</h2>
        <p className="muted small">
          Who read, revealed or downloaded which secrets and why; rotation compliance per type; emergency resets and their incidents; deletions with requester and approver; backups and restore drills;
          identities with admin policies; failed sign-ins and alerts. The same inputs give byte-identical files.
        </p>
        <form
          className="incident-form"
          onSubmit={(e) => {
            e.preventDefault();
            void generate(from, to, name);
          }}
        >
          <label>
            From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="soc2-from" />
          </label>
          <label>
            To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="soc2-to" />
          </label>
          <label>
            Pack name <input value={name} onChange={(e) => setName(e.target.value)} placeholder={`soc2-${from}-${to}`} data-testid="soc2-name" />
          </label>
          <button type="submit" className="primary" disabled={s.busy || !from || !to} data-testid="soc2-generate">
            Generate report
          </button>
        </form>
        {s.busy && <p className="muted">Computing the report, printing the PDF, signing the pack…</p>}
        {s.error && (
          <p className="error" role="alert" data-testid="soc2-error">
            {s.error}
          </p>
        )}
        {r && (
          <div data-testid="soc2-result">
            <p>
              Evidence pack <code data-testid="soc2-pack">{r.pack.dir}</code>, signed by <code>{r.pack.fingerprint}</code> ({r.pack.records.toLocaleString('en-US')} events).
            </p>
            {r.pdfNote && <p className="warning-text">{r.pdfNote}</p>}
            <table>
              <thead>
                <tr>
                  <th>File</th>
                  <th>Bytes</th>
                  <th>SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {r.files.map((f) => (
                  <tr key={f.name} data-testid="soc2-file">
                    <td>{f.name}</td>
                    <td>{f.bytes.toLocaleString('en-US')}</td>
                    <td className="mono small">{f.sha256}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ul data-testid="soc2-summary">
              <li>Identities that read secrets: {r.summary.identities}</li>
              <li>
                Reveals / downloads: {r.summary.reveals} / {r.summary.downloads}
              </li>
              <li>Secrets within their rotation schedule: {pct(r.summary.rotationShareWithinSchedule)}</li>
              <li>Emergency resets: {r.summary.emergencyResets}</li>
              <li>Deletions: {r.summary.deletions}</li>
              <li>Backup success rate: {pct(r.summary.backupSuccessRate)}</li>
              <li>Suspicious-activity alerts: {r.summary.alerts}</li>
            </ul>
          </div>
        )}
      </section>
    </div>
  );
}
