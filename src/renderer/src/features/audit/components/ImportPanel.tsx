// Offline review: import Vault audit logs (plain or .gz) and the console's own CSV /
// JSON / NDJSON exports; no Vault connection needed. Each file gets its own report:
// what went in, what was skipped and why, and whether it stopped early.
import { useState, type FormEvent } from 'react';
import { useImportStore } from '../store';

const OUTCOME_LABEL: Record<string, string> = { imported: 'Imported', partial: 'PARTIAL', failed: 'Failed', empty: 'Empty' };

export function ImportPanel() {
  const s = useImportStore();
  const [text, setText] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await s.importPaths(text);
  };
  return (
    <section className="card" data-testid="audit-import">
      <h2>Import for offline review</h2>
      <form onSubmit={(e) => void submit(e)} className="import-form">
        <label>
          Files on this computer, one path per line
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} cols={80} placeholder="/var/log/vault/audit.log.1.gz" data-testid="import-paths" />
        </label>
        <button type="submit" disabled={s.busy} data-testid="import-submit">
          {s.busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      {s.error && (
        <p className="error" role="alert" data-testid="import-error">
          {s.error}
        </p>
      )}
      {s.reports.length > 0 && (
        <ul className="import-reports" data-testid="import-reports">
          {s.reports.map((r) => (
            <li key={r.file} className={r.outcome === 'imported' ? '' : 'error'} data-testid="import-report" data-outcome={r.outcome}>
              <strong>{OUTCOME_LABEL[r.outcome] ?? r.outcome}</strong> {r.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
