import { useEffect } from 'react';
import { activeProfile, useProfilesStore } from '../store';

/** Header control: which cluster every view shows. */
export function ProfileSwitcher() {
  const { profiles, activeId, busy, load, activate, listen } = useProfilesStore();
  useEffect(() => {
    void load();
    return listen();
  }, [load, listen]);
  const active = activeProfile({ profiles, activeId });
  if (profiles.length === 0) return null;
  return (
    <span className="profile-switcher">
      <label className="sr-only" htmlFor="profile-select">
        Connection profile
      </label>
      <select id="profile-select" value={activeId ?? ''} disabled={busy} onChange={(e) => void activate(e.target.value)} data-testid="profile-select">
        {profiles.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      {active && active.warnings.length > 0 && (
        <span className="tls-warning" role="note" title={active.warnings.join(' ')} data-testid="profile-warning">
          ⚠ {active.minTls === 'TLSv1.2' && !active.address.startsWith('http:') ? 'TLS 1.2' : 'Not encrypted'}
        </span>
      )}
    </span>
  );
}
