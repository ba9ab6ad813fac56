// A bulk job's report: the DNS records its DKIM rotations need, as one zone-file fragment
// and as CSV (values split into 255-byte strings as zone files need), ready to copy.
import { useState } from 'react';
import type { JobDnsRecords as Records } from '../../../../../shared/contract';
import { call, errorMessage } from '../../../lib/ipc-client';

export function JobDnsRecords({ jobId }: { jobId: string }) {
  const [records, setRecords] = useState<Records | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const load = async () => {
    try {
      setRecords(await call('dkim:job-records', { jobId }));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const copy = async (what: 'zone' | 'csv', text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied(null);
    }
  };

  return (
    <div className="job-dns-records" data-testid="job-dns-records">
      {!records && (
        <button type="button" className="small" onClick={() => void load()} data-testid="job-dns-records-show">
          DNS records to publish (DKIM)
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {records && records.records.length === 0 && <p className="muted">This job rotated no DKIM keys: nothing to publish.</p>}
      {records && records.records.length > 0 && (
        <>
          <h4>
            DNS records to publish: {records.records.filter((r) => r.role === 'new').length} new, {records.records.filter((r) => r.role === 'previous').length} to keep during grace
          </h4>
          <label>
            Zone-file fragment
            <textarea readOnly rows={8} value={records.zone} onFocus={(e) => e.currentTarget.select()} data-testid="job-dns-zone" />
          </label>
          <button type="button" className="small" onClick={() => void copy('zone', records.zone)}>
            {copied === 'zone' ? 'Copied' : 'Copy zone fragment'}
          </button>
          <label>
            CSV
            <textarea readOnly rows={6} value={records.csv} onFocus={(e) => e.currentTarget.select()} data-testid="job-dns-csv" />
          </label>
          <button type="button" className="small" onClick={() => void copy('csv', records.csv)}>
            {copied === 'csv' ? 'Copied' : 'Copy CSV'}
          </button>
          {records.skipped.length > 0 && (
            <ul className="muted small">
              {records.skipped.map((s) => (
                <li key={s.path}>
                  {s.path}: {s.reason}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
