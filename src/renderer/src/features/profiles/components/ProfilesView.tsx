import { useEffect, useState } from 'react';
import type { ProfileViewDto } from '../../../../../shared/contract';
import { useProfilesStore } from '../store';
import { EnvironmentBadge } from './EnvironmentBadge';
import { ProfileForm } from './ProfileForm';
import { SwitchConfirm } from './ProfileSwitcher';

export function ProfilesView() {
  const { profiles, activeId, load, remove, error, busy } = useProfilesStore();
  const [editing, setEditing] = useState<ProfileViewDto | 'new' | null>(null);
  const [switching, setSwitching] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="profiles-title">
      <div className="view-header">
        <h2 id="profiles-title">Connections</h2>
        <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="profile-new">
          New profile
        </button>
      </div>
      {error && !editing && (
        <p className="error" role="alert" data-testid="profiles-error">
          {error}
        </p>
      )}
      {editing && <ProfileForm key={editing === 'new' ? 'new' : editing.id} editing={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      <table className="data" data-testid="profiles-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Environment</th>
            <th>Address</th>
            <th>TLS</th>
            <th>CA</th>
            <th>KV mount</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {profiles.map((p) => (
            <tr key={p.id} data-testid={`profile-row-${p.name}`}>
              <td>
                {p.name} {p.id === activeId && <span className="pill green">active</span>}
              </td>
              <td>
                <EnvironmentBadge environment={p.environment} />
              </td>
              <td>{p.address}</td>
              <td>
                {p.minTls.replace('TLSv', '')}
                {p.warnings.map((w) => (
                  <div key={w} className="warning-text small">
                    ⚠ {w}
                  </div>
                ))}
              </td>
              <td className="small">{p.caCert ? p.caCert.subject : 'system'}</td>
              <td>{p.kvMount}</td>
              <td className="actions">
                <button type="button" disabled={busy || p.id === activeId} onClick={() => setSwitching(p.id)} data-testid={`profile-activate-${p.name}`}>
                  Use
                </button>
                <button type="button" onClick={() => setEditing(p)}>
                  Edit
                </button>
                <button
                  type="button"
                  disabled={p.id === activeId}
                  title={p.id === activeId ? 'Switch to another profile before deleting this one.' : undefined}
                  onClick={() => {
                    if (window.confirm(`Delete the profile "${p.name}"? Its saved session is removed from the keychain.`)) void remove(p.id);
                  }}
                  data-testid={`profile-delete-${p.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {switching && <SwitchConfirm id={switching} onDone={() => setSwitching(null)} />}
    </section>
  );
}
