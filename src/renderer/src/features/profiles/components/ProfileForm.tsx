import { useState, type FormEvent } from 'react';
import type { ProfileViewDto } from '../../../../../shared/contract';
import { useProfilesStore, type ProfileDraft } from '../store';

const EMPTY: ProfileDraft = { name: '', address: 'https://', caCertPem: null, minTls: 'TLSv1.3', namespace: '', kvMount: 'tenants' };

export function ProfileForm({ editing, onDone }: { editing: ProfileViewDto | null; onDone: () => void }) {
  const { save, busy, error } = useProfilesStore();
  const [draft, setDraft] = useState<ProfileDraft>(() =>
    editing
      ? { id: editing.id, name: editing.name, address: editing.address, caCertPem: null, minTls: editing.minTls, namespace: editing.namespace ?? '', kvMount: editing.kvMount }
      : EMPTY,
  );
  // Editing keeps the stored CA unless a new file is chosen or it is removed.
  const [caChoice, setCaChoice] = useState<'keep' | 'new' | 'none'>(editing?.caCert ? 'keep' : 'none');
  const [caName, setCaName] = useState('');

  const set = <K extends keyof ProfileDraft>(k: K, v: ProfileDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const readCa = async (file: File | undefined) => {
    if (!file) return;
    // A CA certificate is public; reading it here is fine. Main validates it.
    set('caCertPem', await file.text());
    setCaName(file.name);
    setCaChoice('new');
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const caCertPem = caChoice === 'keep' ? undefined : caChoice === 'none' ? null : draft.caCertPem;
    if (await save({ ...draft, caCertPem })) onDone();
  };

  return (
    <form className="card profile-form" onSubmit={(e) => void submit(e)} data-testid="profile-form">
      <h3>{editing ? `Edit ${editing.name}` : 'New connection profile'}</h3>
      <label>
        Name
        <input value={draft.name} onChange={(e) => set('name', e.target.value)} required maxLength={64} data-testid="profile-name" />
      </label>
      <label>
        Vault address
        <input value={draft.address} onChange={(e) => set('address', e.target.value)} required data-testid="profile-address" />
      </label>
      <label>
        Minimum TLS version
        <select value={draft.minTls} onChange={(e) => set('minTls', e.target.value as ProfileDraft['minTls'])} data-testid="profile-min-tls">
          <option value="TLSv1.3">TLS 1.3 (required by policy)</option>
          <option value="TLSv1.2">TLS 1.2 (not recommended)</option>
        </select>
      </label>
      {draft.minTls === 'TLSv1.2' && (
        <p className="notice" role="note" data-testid="profile-tls12-warning">
          TLS 1.2 is allowed for this cluster. The security policy asks for TLS 1.3 for all API traffic.
        </p>
      )}
      <label>
        CA certificate (PEM, optional)
        <input type="file" accept=".pem,.crt,.cer" onChange={(e) => void readCa(e.target.files?.[0])} data-testid="profile-ca-file" />
      </label>
      <p className="muted small" data-testid="profile-ca-state">
        {caChoice === 'new' ? `New CA: ${caName}` : caChoice === 'keep' && editing?.caCert ? `Current CA: ${editing.caCert.subject}` : 'System trust store'}
        {caChoice !== 'none' && (
          <>
            {' · '}
            <button type="button" className="link-button" onClick={() => setCaChoice('none')}>
              Remove
            </button>
          </>
        )}
      </p>
      <label>
        Namespace (optional)
        <input value={draft.namespace} onChange={(e) => set('namespace', e.target.value)} data-testid="profile-namespace" />
      </label>
      <label>
        Tenants KV mount
        <input value={draft.kvMount} onChange={(e) => set('kvMount', e.target.value)} required data-testid="profile-kv-mount" />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="profile-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy} data-testid="profile-save">
          Save
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
