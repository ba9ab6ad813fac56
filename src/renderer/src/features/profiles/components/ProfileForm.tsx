import { useState, type FormEvent } from 'react';
import type { ProfileViewDto } from '../../../../../shared/contract';
import { ENVIRONMENT_STYLE, PROFILE_ENVIRONMENTS } from '../../../../../shared/profiles/environments';
import { useSessionStore } from '../../session/store';
import { useProfilesStore, type ProfileDraft } from '../store';
import { ConfirmDialog } from './ConfirmDialog';

const EMPTY: ProfileDraft = { name: '', address: 'https://', caCertPem: null, minTls: 'TLSv1.3', namespace: '', kvMount: 'tenants', environment: 'production' };

/** What a save would change about where and how the console trusts Vault. */
function trustChanges(editing: ProfileViewDto, draft: ProfileDraft, caChoice: 'keep' | 'new' | 'none'): string[] {
  const changed: string[] = [];
  const norm = (a: string) => a.trim().replace(/\/+$/, '').toLowerCase();
  if (norm(draft.address) !== norm(editing.address)) changed.push('address');
  if (caChoice === 'new' || (caChoice === 'none' && editing.caCert)) changed.push('CA certificate');
  if (draft.minTls !== editing.minTls) changed.push('minimum TLS version');
  if ((draft.namespace.trim() || null) !== editing.namespace) changed.push('namespace');
  return changed;
}

export function ProfileForm({ editing, onDone }: { editing: ProfileViewDto | null; onDone: () => void }) {
  const { save, busy, error, activeId } = useProfilesStore();
  const signedIn = useSessionStore((s) => s.info?.signedIn ?? false);
  const [draft, setDraft] = useState<ProfileDraft>(() =>
    editing
      ? { id: editing.id, name: editing.name, address: editing.address, caCertPem: null, minTls: editing.minTls, namespace: editing.namespace ?? '', kvMount: editing.kvMount, environment: editing.environment }
      : EMPTY,
  );
  // Editing keeps the stored CA unless a new file is chosen or it is removed.
  const [caChoice, setCaChoice] = useState<'keep' | 'new' | 'none'>(editing?.caCert ? 'keep' : 'none');
  const [caName, setCaName] = useState('');
  const [confirming, setConfirming] = useState<string[] | null>(null);

  const set = <K extends keyof ProfileDraft>(k: K, v: ProfileDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const readCa = async (file: File | undefined) => {
    if (!file) return;
    // A CA certificate is public; reading it here is fine. Main validates it.
    set('caCertPem', await file.text());
    setCaName(file.name);
    setCaChoice('new');
  };

  const doSave = async (confirmSignOut: boolean) => {
    const caCertPem = caChoice === 'keep' ? undefined : caChoice === 'none' ? null : draft.caCertPem;
    if (await save({ ...draft, caCertPem }, { confirmSignOut })) onDone();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // The cluster the user is signed in to: a change of trust settings signs out first, after asking.
    const changes = editing && editing.id === activeId && signedIn ? trustChanges(editing, draft, caChoice) : [];
    if (changes.length > 0) setConfirming(changes);
    else await doSave(false);
  };

  return (
    <form className="card profile-form" onSubmit={(e) => void submit(e)} data-testid="profile-form">
      <h3>{editing ? `Edit ${editing.name}` : 'New connection profile'}</h3>
      <label>
        Name
        <input value={draft.name} onChange={(e) => set('name', e.target.value)} required maxLength={64} data-testid="profile-name" />
      </label>
      <label>
        Environment (the header shows it in its colour)
        <select value={draft.environment} onChange={(e) => set('environment', e.target.value as ProfileDraft['environment'])} data-testid="profile-environment">
          {PROFILE_ENVIRONMENTS.map((env) => (
            <option key={env} value={env}>
              {ENVIRONMENT_STYLE[env].label} ({ENVIRONMENT_STYLE[env].colour})
            </option>
          ))}
        </select>
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
      {confirming && editing && (
        <ConfirmDialog
          title={`Sign out of ${editing.name} and save?`}
          confirmLabel="Sign out and save"
          testId="profile-signout-confirm"
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            void doSave(true);
          }}
        >
          <p>
            You are changing the {confirming.join(', ')} of the cluster you are signed in to. To keep your token from going anywhere the old settings did not trust, saving
            signs you out first: the token is revoked over the current settings and removed from the OS keychain. Sign in again afterwards.
          </p>
        </ConfirmDialog>
      )}
    </form>
  );
}
