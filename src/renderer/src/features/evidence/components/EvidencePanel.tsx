import { useState } from 'react';
import type { AuditFilter } from '../../../../../shared/contract';
import { useEvidenceStore } from '../store';

/** Audit view tab: export the current filter as an evidence pack, the public key, and "Verify a pack". */
export function EvidencePanel({ filter }: { filter: AuditFilter }) {
  const s = useEvidenceStore();
  const { exportPack, showKey, verifyPack } = useEvidenceStore.getState();
  const [pack, setPack] = useState('');
  const [key, setKey] = useState('');
  const v = s.verify;
  return (
    <div className="evidence" data-testid="evidence-panel">
      {s.error && (
        <p className="error" role="alert" data-testid="evidence-error">
          {s.error}
        </p>
      )}
      <section className="card">
        <h2>Export an evidence pack</h2>
        <p className="muted small">The events of the current filter as hash-chained NDJSON with a manifest signed by this console's Ed25519 key (kept in the OS keychain).</p>
        <button type="button" disabled={s.busy} onClick={() => void exportPack(filter)} data-testid="evidence-export">
          Export the current filter as an evidence pack
        </button>
        {s.exported && (
          <p data-testid="evidence-exported">
            {s.exported.records.toLocaleString('en-US')} events in <code>{s.exported.dir}</code> · chain head <code>{s.exported.chainHead.slice(0, 16)}…</code> · signed by <code>{s.exported.fingerprint}</code> · read from {s.exported.source}
          </p>
        )}
      </section>

      <section className="card">
        <h2>This console's public key</h2>
        <div className="rotation-actions">
          <button type="button" onClick={() => void showKey(false)} data-testid="evidence-show-key">
            Show
          </button>
          <button type="button" onClick={() => void showKey(true)} data-testid="evidence-save-key">
            Save to the exports folder
          </button>
        </div>
        {s.publicKey && (
          <div data-testid="evidence-key">
            <p>
              Fingerprint <code data-testid="evidence-fingerprint">{s.publicKey.fingerprint}</code>
              {s.publicKey.path && (
                <>
                  {' '}
                  · saved to <code>{s.publicKey.path}</code>
                </>
              )}
            </p>
            <pre className="mono small">{s.publicKey.pem}</pre>
          </div>
        )}
      </section>

      <section className="card">
        <h2>Verify a pack</h2>
        <form
          className="import-form"
          onSubmit={(e) => {
            e.preventDefault();
            void verifyPack(pack, key);
          }}
        >
          <label>
            Pack folder <input value={pack} onChange={(e) => setPack(e.target.value)} placeholder="/path/to/audit-….evidence" data-testid="evidence-verify-pack" />
          </label>
          <label>
            Signer's public key (PEM file; empty: the pack's own key, integrity only)
            <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="/path/to/vault-console-evidence-key.pem" data-testid="evidence-verify-key" />
          </label>
          <button type="submit" disabled={s.busy || pack.trim() === ''} data-testid="evidence-verify">
            Verify a pack
          </button>
        </form>
        {v && (
          <div data-testid="evidence-verdict" data-ok={v.ok ? 'true' : 'false'}>
            {v.ok ? (
              <p className="tone-green">
                <strong>Intact.</strong> {v.records.toLocaleString('en-US')} records ({v.kind}), chain and files as signed by <code>{v.fingerprint}</code>
                {v.signerChecked ? ' (the key given).' : '. The signer was not checked against a trusted key: give the public key to prove who signed it.'}
              </p>
            ) : (
              <>
                <p className="tone-red" data-testid="evidence-problem">
                  <strong>Not intact.</strong> {v.problem?.message}
                </p>
                {v.problems.length > 1 && (
                  <ul>
                    {v.problems.slice(1).map((p) => (
                      <li key={p.message}>{p.message}</li>
                    ))}
                  </ul>
                )}
              </>
            )}
            <p className="muted small">
              {(v.bytes / 1e6).toFixed(1)} MB checked in {v.seconds.toFixed(2)} s
            </p>
          </div>
        )}
      </section>
    </div>
  );
}
