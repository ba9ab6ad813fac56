import { useEffect, useState } from 'react';
import type { RotationPreview } from '../../../../../shared/contract';
import { useRotationStore } from '../store';

function PathList({ items, testId }: { items: Array<{ path: string; reason?: string }>; testId: string }) {
  return (
    <ul className="rotation-paths" data-testid={testId}>
      {items.map((i) => (
        <li key={i.path}>
          <span className="mono">{i.path}</span>
          {i.reason && <span className="muted"> — {i.reason}</span>}
        </li>
      ))}
    </ul>
  );
}

/**
 * A bulk rotation's preview: what the job will rotate, what it leaves out and why (API keys
 * are rotated one by one; secrets this identity may not rotate, as Vault says for each
 * path), the reason and the typed confirmation. Mounted by the Rotation view and the tenant list.
 */
export function BulkPreview({ preview }: { preview: RotationPreview }) {
  const { start, clearPreview } = useRotationStore.getState();
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');
  useEffect(() => {
    setConfirm('');
  }, [preview.previewId]);
  const { apiKeys, notAllowed } = preview;

  return (
    <form
      className="rotation-preview"
      data-testid="bulk-preview"
      aria-label={preview.label}
      onSubmit={(e) => {
        e.preventDefault();
        void start(confirm, reason).then((ok) => ok && setReason(''));
      }}
    >
      <h3 data-testid="bulk-preview-label">{preview.label}</h3>
      <p data-testid="bulk-preview-summary">
        {preview.total} secret(s) in {preview.tenants} tenant(s): SSH {preview.byType.ssh}, SMTP {preview.byType.smtp}, DKIM {preview.byType.dkim}{' '}
        <span className="muted">(from {preview.source === 'index' ? 'the local index' : 'Vault'})</span>
      </p>
      {preview.total > 0 && preview.total > preview.sample.length && <p className="muted small">First {preview.sample.length}: {preview.sample.join(', ')}</p>}
      {preview.total > 0 && preview.total <= preview.sample.length && <p className="muted small">{preview.sample.join(', ')}</p>}
      {apiKeys.total > 0 && (
        <div className="notice" data-testid="bulk-preview-api-keys">
          <p>
            <strong>{apiKeys.total} API key(s) left out: rotate one by one (the new key is shown once).</strong> Vault keeps only a key&apos;s hash, so a
            bulk job would throw the new key away. Use Rotate Now on each key in the tenant&apos;s details.
          </p>
          <details>
            <summary>Show the API keys</summary>
            <PathList items={apiKeys.items} testId="bulk-preview-api-key-list" />
            {apiKeys.total > apiKeys.items.length && <p className="muted">… and {apiKeys.total - apiKeys.items.length} more.</p>}
          </details>
        </div>
      )}
      {notAllowed.total > 0 && (
        <div className="notice" role="status" data-testid="bulk-preview-not-allowed">
          <p>
            <strong>
              {notAllowed.total} secret(s) left out: your policies do not allow you to rotate {preview.total === 0 ? 'any of them' : 'them'}.
            </strong>{' '}
            {notAllowed.items[0]?.reason}
          </p>
          <details>
            <summary>Show each one and why</summary>
            <PathList items={notAllowed.items} testId="bulk-preview-not-allowed-list" />
            {notAllowed.total > notAllowed.items.length && <p className="muted">… and {notAllowed.total - notAllowed.items.length} more.</p>}
          </details>
        </div>
      )}
      {preview.warnings.map((w) => (
        <p key={w} className="muted small" data-testid="bulk-preview-warning">
          {w}
        </p>
      ))}
      {preview.total === 0 && (
        <p data-testid="bulk-preview-nothing">{notAllowed.total > 0 ? 'Nothing here that you may rotate.' : 'Nothing to rotate in bulk.'}</p>
      )}
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
          <p className="muted small">A secret that anyone changes after this preview is not rotated: the report lists it as changed since the preview.</p>
        </>
      )}
      <div className="rotation-actions">
        {preview.total > 0 && (
          <button type="submit" className="primary" disabled={confirm.trim() !== preview.confirmPhrase} data-testid="bulk-start">
            Start rotation
          </button>
        )}
        <button type="button" onClick={clearPreview} data-testid="bulk-preview-cancel">
          {preview.total > 0 ? 'Cancel' : 'Close'}
        </button>
      </div>
    </form>
  );
}
