// Offline review: import Vault audit logs (plain or .gz) and the console's own CSV /
// JSON / NDJSON exports; no Vault connection needed. Main opens its file dialog
// (the page never names a file) and checks each pick is a regular file. Each file
// gets its own report: what went in, what was skipped and why, whether it stopped
// early, and a warning when other users can write it.
import { useImportStore } from '../store';

const OUTCOME_LABEL: Record<string, string> = { imported: 'Imported', partial: 'PARTIAL', failed: 'Failed', empty: 'Empty' };

export function ImportPanel() {
  const s = useImportStore();
  return (
    <section className="card" data-testid="audit-import">
      <h2>Import for offline review</h2>
      <p className="muted small">Vault audit logs (plain or .gz) and Vault Console exports (CSV, JSON, NDJSON), up to 100 files at a time.</p>
      <button type="button" disabled={s.busy} onClick={() => void s.importChosen()} data-testid="import-choose">
        {s.busy ? 'Importing…' : 'Choose files to import…'}
      </button>
      {s.cancelled && (
        <p className="muted" data-testid="import-cancelled">
          No file chosen; nothing imported.
        </p>
      )}
      {s.error && (
        <p className="error" role="alert" data-testid="import-error">
          {s.error}
        </p>
      )}
      {s.reports.length > 0 && (
        <ul className="import-reports" data-testid="import-reports">
          {s.reports.map((r, i) => (
            <li key={`${r.file}-${i}`} className={r.outcome === 'imported' && r.warnings.length === 0 ? '' : 'error'} data-testid="import-report" data-outcome={r.outcome}>
              <strong>{OUTCOME_LABEL[r.outcome] ?? r.outcome}</strong> {r.message}
              {r.sha256 && (
                <>
                  {' '}
                  <span className="muted small">
                    SHA-256 <code data-testid="import-sha256">{r.sha256}</code>
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
