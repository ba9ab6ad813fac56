import { useState, type FormEvent } from 'react';
import type { VaultStatus } from '../../../../../shared/contract';
import { GatedButton } from '../../../components/GatedButton';
import { useEscape } from '../../../lib/use-escape';
import { useHealthStore } from '../store';

interface Props {
  status: VaultStatus;
  signedIn: boolean;
}

/**
 * Break-glass: unseal with key shares while sealed, or seal during an incident.
 * A share is typed into a password field, sent once, and the field is emptied
 * right away; it is never kept in the store, in storage or in the DOM.
 */
export function BreakGlassPanel({ status, signedIn }: Props) {
  const { unsealBusy, unsealError, sealBusy, sealError, unseal, resetUnseal, seal } = useHealthStore();
  const [share, setShare] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [confirmText, setConfirmText] = useState('');
  const [incidentId, setIncidentId] = useState('');
  const expected = status.clusterName || 'seal';
  const cancelSeal = () => {
    setConfirming(false);
    setConfirmText('');
  };
  // Escape backs out of the seal confirmation (not while the request is on its way).
  useEscape(cancelSeal, confirming && !sealBusy && !status.sealed);

  const submitShare = async (e: FormEvent) => {
    e.preventDefault();
    const key = share;
    setShare('');
    await unseal(key);
  };

  const submitSeal = async (e: FormEvent) => {
    e.preventDefault();
    if (await seal(confirmText, incidentId)) {
      setConfirming(false);
      setConfirmText('');
      setIncidentId('');
    }
  };

  if (status.sealed) {
    return (
      <section className="card break-glass" aria-labelledby="unseal-title" data-testid="unseal-panel">
        <h2 id="unseal-title">Unseal Vault</h2>
        <p className="muted" data-testid="unseal-progress">
          {status.unseal.progress} of {status.unseal.threshold} key shares entered ({status.unseal.shares} exist).
        </p>
        <form onSubmit={(e) => void submitShare(e)}>
          <label>
            Unseal key share
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={share}
              onChange={(e) => setShare(e.target.value)}
              data-testid="unseal-key"
              required
            />
          </label>
          {unsealError && (
            <p className="error" role="alert" data-testid="unseal-error">
              {unsealError}
            </p>
          )}
          <div className="row">
            <button type="submit" className="primary" disabled={unsealBusy || share.length === 0} data-testid="unseal-submit">
              {unsealBusy ? 'Sending…' : 'Enter share'}
            </button>
            <button type="button" onClick={() => void resetUnseal()} disabled={unsealBusy || status.unseal.progress === 0} data-testid="unseal-reset">
              Reset progress
            </button>
          </div>
        </form>
        <p className="muted small">Each key holder enters their own share. Shares are sent to Vault only, never stored or logged.</p>
      </section>
    );
  }

  return (
    <section className="card break-glass" aria-labelledby="seal-title" data-testid="seal-panel">
      <h2 id="seal-title">Seal Vault (incident response)</h2>
      {!confirming ? (
        <GatedButton gate={{ action: 'vault.seal' }} blocked={signedIn ? null : 'Sign in with a token that may seal Vault (update and sudo on sys/seal).'} className="break-glass-danger" onClick={() => setConfirming(true)} testId="seal-open">
          Seal Vault…
        </GatedButton>
      ) : (
        <form onSubmit={(e) => void submitSeal(e)}>
          <p>
            Sealing stops every application from reading secrets until key holders unseal it. Type <code data-testid="seal-expected">{expected}</code> to confirm.
          </p>
          <label>
            Cluster name
            <input value={confirmText} onChange={(e) => setConfirmText(e.target.value)} autoComplete="off" spellCheck={false} data-testid="seal-confirm" />
          </label>
          <label>
            Incident ID (announces the seal to the ops-host watcher, which then pages it as this incident, not as an unexpected seal)
            <input value={incidentId} onChange={(e) => setIncidentId(e.target.value)} autoComplete="off" spellCheck={false} placeholder="INC-2026-0042" maxLength={64} data-testid="seal-incident" />
          </label>
          {sealError && (
            <p className="error" role="alert" data-testid="seal-error">
              {sealError}
            </p>
          )}
          <div className="row">
            <GatedButton type="submit" gate={{ action: 'vault.seal' }} className="break-glass-danger" inactive={sealBusy || confirmText.trim() !== expected} testId="seal-submit">
              {sealBusy ? 'Sealing…' : 'Seal Vault now'}
            </GatedButton>
            <button type="button" onClick={cancelSeal} data-testid="seal-cancel">
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
