import { useState } from 'react';
import { GatedButton } from '../../../components/GatedButton';
import type { ApiKeyInfo } from '../../../../../shared/contract';
import { call, errorMessage } from '../../../lib/ipc-client';
import { Time } from '../../../lib/Time';
import { HealthBadge } from './HealthBadge';
import { ApiUsageChart } from './ApiUsageChart';
import { useEscape } from '../../../lib/use-escape';

interface Props {
  tenantId: string;
  keys: ApiKeyInfo[];
  onChanged(): Promise<void>;
  onHistory(path: string): void;
}

export function ApiKeysSection({ tenantId, keys, onChanged, onHistory }: Props) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [chart, setChart] = useState(false);
  useEscape(() => setConfirming(null), confirming !== null && !busy);

  const revoke = async (keyId: string) => {
    setBusy(true);
    try {
      await call('tenants:revoke-api-key', { tenantId, keyId, confirm: typed });
      setConfirming(null);
      setTyped('');
      setError(null);
      await onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="api-keys">
      <table className="data" data-testid="api-table">
        <thead>
          <tr>
            <th>Key ID</th>
            <th>Permissions</th>
            <th className="num">Rate Limit</th>
            <th>Created</th>
            <th>Last Used</th>
            <th className="num">Request Count</th>
            <th>Status</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.keyId} data-testid="api-row" data-key-id={k.keyId}>
              <td>
                <code>{k.keyId}</code>
                {k.prefix && <div className="muted small">{k.prefix}…</div>}
              </td>
              <td>{k.permissions.join(', ') || '—'}</td>
              <td className="num">{k.rateLimit !== null ? `${k.rateLimit}/min` : '—'}</td>
              <td>
                <Time value={k.created} />
              </td>
              <td>
                <Time value={k.lastUsed} fallback="Never" />
              </td>
              <td className="num">{k.requestCount?.toLocaleString() ?? '—'}</td>
              <td>
                <HealthBadge health={k.health} reason={k.problem} testId="api-status" />
              </td>
              <td>
                {k.status !== 'revoked' && (
                  <GatedButton
                    gate={{ action: 'apikeys.revoke', tenantId, keyId: k.keyId }}
                    className="small danger"
                    onClick={() => {
                      setConfirming(k.keyId);
                      setTyped('');
                      setError(null);
                    }}
                    testId="api-revoke"
                  >
                    Revoke Key
                  </GatedButton>
                )}{' '}
                <GatedButton gate={{ action: 'secrets.history', tenantId, path: k.path }} className="small" onClick={() => onHistory(k.path)} testId="api-history">
                  History
                </GatedButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirming && (
        <div className="card confirm" role="alertdialog" aria-label="Confirm revocation" data-testid="revoke-confirm">
          <p>
            Revoke <code>{confirming}</code>? Every client using this key stops working. The key stays listed as revoked for the audit trail.
          </p>
          <label>
            Type the key id to confirm{' '}
            <input value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="revoke-confirm-input" autoComplete="off" />
          </label>{' '}
          <GatedButton gate={{ action: 'apikeys.revoke', tenantId, keyId: confirming }} className="danger" inactive={busy || typed !== confirming} onClick={() => void revoke(confirming)} testId="revoke-confirm-button">
            Revoke
          </GatedButton>{' '}
          <button type="button" onClick={() => setConfirming(null)} data-testid="revoke-cancel">
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="revoke-error">
          {error}
        </p>
      )}
      <button type="button" className="small" onClick={() => setChart(!chart)} data-testid="api-usage-toggle">
        {chart ? 'Hide Usage Analytics' : 'View Usage Analytics'}
      </button>
      {chart && <ApiUsageChart tenantId={tenantId} />}
    </div>
  );
}
