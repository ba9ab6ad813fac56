import { useEffect, useState, type ReactNode } from 'react';
import type { RotationResult } from '../../../../../shared/contract';
import { call, errorMessage } from '../../../lib/ipc-client';
import { checkIncidentId, checkReason, RuleError } from '../../../../../shared/rotation/rules';
import { useApiKeyStore } from '../api-key-store';
import { NewApiKeyPanel } from './NewApiKeyPanel';
import { DkimTxtValue } from '../../tenants/components/DkimTxtValue';
import { useEscape } from '../../../lib/use-escape';
import { Time } from '../../../lib/Time';

type Mode = { kind: 'rotate'; target: string; expectedVersion?: number } | { kind: 'emergency'; target: 'smtp' | 'ssh' };

function problem(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof RuleError ? err.message : 'Invalid input.';
  }
}

/**
 * The dialog behind Rotate Now and Emergency Reset: required reason / incident ID, then the
 * result. No secret in it, except a rotated API key's new key, shown once (NewApiKeyPanel)
 * and dropped when the dialog closes.
 */
export function RotateDialog({ tenantId, mode, title, onClose, onDone }: { tenantId: string; mode: Mode; title: ReactNode; onClose(): void; onDone?(r: RotationResult[]): void }) {
  const [reason, setReason] = useState('');
  const [incident, setIncident] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<RotationResult[] | null>(null);
  const emergency = mode.kind === 'emergency';
  // However the dialog goes away, a new API key shown in it is closed (main wipes it).
  useEffect(() => () => void useApiKeyStore.getState().close(), []);
  const close = () => {
    void useApiKeyStore.getState().close();
    onClose();
  };

  useEscape(close, !busy);

  const submit = async () => {
    // The same rules main applies, checked here first for a quick answer.
    const bad = emergency ? problem(() => checkIncidentId(incident)) : problem(() => checkReason(reason));
    if (bad) {
      setError(bad);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let r: RotationResult[];
      if (mode.kind === 'emergency') {
        r = await call('rotation:emergency-reset', { tenantId, target: mode.target, incidentId: incident.trim(), ...(reason.trim() ? { reason } : {}) });
      } else {
        const { newApiKey, ...one } = await call('rotation:rotate', { tenantId, target: mode.target, reason, ...(mode.expectedVersion ? { expectedVersion: mode.expectedVersion } : {}) });
        // The key goes to its own store (one place to drop it), never into the results.
        if (newApiKey) useApiKeyStore.getState().show(newApiKey);
        r = [one];
      }
      setResults(r);
      onDone?.(r);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="rotation-backdrop" role="dialog" aria-modal="true" data-testid={emergency ? 'emergency-dialog' : 'rotate-dialog'}>
      <div className="card rotation-modal">
        <h2>{title}</h2>
        {!results && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            {emergency ? (
              <p className="rotation-warning">No grace period: the current credential stops working as soon as this completes.</p>
            ) : (
              <p>A new version is written; the previous one stays in Vault's history.</p>
            )}
            {emergency && (
              <label>
                Incident ID
                <input value={incident} onChange={(e) => setIncident(e.target.value)} placeholder="INC-2041" data-testid="rotation-incident" autoFocus />
              </label>
            )}
            <label>
              Reason{emergency ? ' (optional)' : ''}
              <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={emergency ? 'Defaults to the incident' : 'Why this rotation'} data-testid="rotation-reason" autoFocus={!emergency} />
            </label>
            {error && (
              <p className="error" role="alert" data-testid="rotation-error">
                {error}
              </p>
            )}
            <div className="rotation-actions">
              <button type="submit" className={emergency ? 'danger' : 'primary'} disabled={busy} data-testid="rotation-submit">
                {busy ? 'Working…' : emergency ? 'Reset now' : 'Rotate now'}
              </button>
              <button type="button" onClick={close} disabled={busy}>
                Cancel
              </button>
            </div>
          </form>
        )}
        {results && (
          <div data-testid="rotation-result">
            {results.some((r) => r.type === 'api') && <NewApiKeyPanel />}
            {results.map((r) => (
              <dl className="kv" key={r.path}>
                <dt>Secret</dt>
                <dd>{r.path}</dd>
                <dt>Version</dt>
                <dd data-testid="rotation-result-version">
                  {r.previousVersion} → {r.version}
                </dd>
                <dt>Next rotation</dt>
                <dd>
                  <Time value={r.nextRotation} />
                </dd>
                <dt>Grace until</dt>
                <dd data-testid="rotation-result-grace">{r.graceUntil ? <Time value={r.graceUntil} /> : r.emergency ? 'None: the old credential is invalid now' : 'None'}</dd>
                {r.fingerprint && (
                  <>
                    <dt>Fingerprint</dt>
                    <dd className="mono" data-testid="rotation-result-fingerprint">
                      {r.fingerprint}
                    </dd>
                  </>
                )}
                {r.previousFingerprint && (
                  <>
                    <dt>Previous (valid in grace)</dt>
                    <dd className="mono">{r.previousFingerprint}</dd>
                  </>
                )}
                {r.selector && (
                  <>
                    <dt>Selector</dt>
                    <dd>{r.selector}</dd>
                  </>
                )}
                {r.dnsRecords.map((d) => (
                  <FragmentRecord key={d.name} name={d.name} value={d.value} note={d.note} />
                ))}
                {r.prefix && (
                  <>
                    <dt>Key prefix</dt>
                    <dd>{r.prefix}</dd>
                  </>
                )}
              </dl>
            ))}
            <div className="rotation-actions">
              <button type="button" className="primary" onClick={close} data-testid="rotation-close">
                Close
              </button>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

function FragmentRecord({ name, value, note }: { name: string; value: string; note: string }) {
  return (
    <>
      <dt>DNS TXT</dt>
      <dd>
        <div className="mono">{name}</div>
        <DkimTxtValue name={name} value={value} />
        <div className="muted">{note}</div>
      </dd>
    </>
  );
}
