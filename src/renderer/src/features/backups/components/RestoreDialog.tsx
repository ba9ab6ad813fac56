import { useState, type FormEvent } from 'react';
import type { BackupView } from '../../../../../shared/contract';
import { errorMessage } from '../../../lib/ipc-client';
import { GatedButton } from '../../../components/GatedButton';
import { useBackupsStore } from '../store';
import { useEscape } from '../../../lib/use-escape';

type Scope = 'raft' | 'mount' | 'tenant';

export function RestoreDialog({ backup, onClose }: { backup: BackupView; onClose: () => void }) {
  const restore = useBackupsStore((s) => s.restore);
  const [scope, setScope] = useState<Scope>(backup.kind === 'raft' ? 'raft' : 'tenant');
  const [tenantId, setTenantId] = useState('');
  const [confirm, setConfirm] = useState('');
  const [method, setMethod] = useState<'userpass' | 'token'>('userpass');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);

  useEscape(onClose, !busy);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const reauth = scope === 'raft' ? (method === 'userpass' ? { method, username, password } : { method, token }) : undefined;
      const res = await restore({ id: backup.id, scope, ...(scope === 'tenant' ? { tenantId } : {}), confirm, ...(reauth ? { reauth } : {}) });
      setResult(res.written === null ? `Snapshot ${res.id} restored.` : `Restored ${res.written} secrets from ${res.id} as new versions.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      // Credentials typed for this restore are not kept.
      setPassword('');
      setToken('');
      setBusy(false);
    }
  };

  return (
    <div className="card restore-dialog" role="dialog" aria-label={`Restore ${backup.id}`} data-testid="backup-restore-dialog">
      <h2>Restore {backup.id}</h2>
      <form onSubmit={(e) => void submit(e)}>
        {backup.kind === 'raft' ? (
          <p className="warning-text small">A snapshot restore replaces all of Vault's data with this point in time. Tokens and secrets created since are lost.</p>
        ) : (
          <label>
            What to restore{' '}
            <select value={scope} onChange={(e) => setScope(e.target.value as Scope)} data-testid="backup-restore-scope">
              <option value="tenant">One tenant</option>
              <option value="mount">The whole {backup.mount ?? ''} mount</option>
            </select>
          </label>
        )}
        {scope === 'tenant' && (
          <label>
            Tenant id <input value={tenantId} onChange={(e) => setTenantId(e.target.value)} required data-testid="backup-restore-tenant" />
          </label>
        )}
        {scope !== 'raft' && <p className="muted small">Secrets are written as new versions; nothing is deleted.</p>}
        {scope === 'raft' && (
          <fieldset>
            <legend>Re-authenticate</legend>
            <label>
              <input type="radio" checked={method === 'userpass'} onChange={() => setMethod('userpass')} /> Username and password
            </label>
            <label>
              <input type="radio" checked={method === 'token'} onChange={() => setMethod('token')} data-testid="backup-reauth-token-method" /> Token
            </label>
            {method === 'userpass' ? (
              <>
                <input placeholder="Username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} data-testid="backup-reauth-username" />
                <input type="password" placeholder="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="backup-reauth-password" />
              </>
            ) : (
              <input type="password" placeholder="Token" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} data-testid="backup-reauth-token" />
            )}
          </fieldset>
        )}
        <label>
          Type <code>{backup.id}</code> to confirm{' '}
          <input value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" data-testid="backup-restore-confirm" />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="backup-restore-error">
            {error}
          </p>
        )}
        {result && (
          <p className="notice" data-testid="backup-restore-result">
            {result}
          </p>
        )}
        <div className="actions">
          <GatedButton
            type="submit"
            gate={{ action: 'backup.restore', scope, ...(scope === 'tenant' && tenantId.trim() !== '' ? { tenantId: tenantId.trim() } : {}) }}
            className="danger"
            inactive={busy || confirm !== backup.id}
            testId="backup-restore-submit"
          >
            {busy ? 'Restoring…' : 'Restore'}
          </GatedButton>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </div>
  );
}
