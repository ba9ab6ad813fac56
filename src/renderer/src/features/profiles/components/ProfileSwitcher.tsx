import { useEffect, useState } from 'react';
import { ENVIRONMENT_STYLE } from '../../../../../shared/profiles/environments';
import { activeProfile, useProfilesStore } from '../store';
import { ConfirmDialog } from './ConfirmDialog';
import { EnvironmentBadge } from './EnvironmentBadge';

/** Header control: which cluster every view shows. Switching asks first. */
export function ProfileSwitcher() {
  const { profiles, activeId, busy, load, listen } = useProfilesStore();
  const [pending, setPending] = useState<string | null>(null);
  useEffect(() => {
    void load();
    return listen();
  }, [load, listen]);
  const active = activeProfile({ profiles, activeId });
  if (profiles.length === 0) return null;
  return (
    <span className="profile-switcher">
      <label className="visually-hidden" htmlFor="profile-select">
        Connection profile
      </label>
      {/* Controlled by the stored choice: picking another only asks; the switch happens on Confirm. */}
      <select id="profile-select" value={activeId ?? ''} disabled={busy} onChange={(e) => setPending(e.target.value)} data-testid="profile-select">
        {profiles.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} ({ENVIRONMENT_STYLE[p.environment].label})
          </option>
        ))}
      </select>
      {active && active.warnings.length > 0 && (
        <span className="tls-warning" role="note" title={active.warnings.join(' ')} data-testid="profile-warning">
          ⚠ {active.minTls === 'TLSv1.2' && !active.address.startsWith('http:') ? 'TLS 1.2' : 'Not encrypted'}
        </span>
      )}
      {pending && pending !== activeId && <SwitchConfirm id={pending} onDone={() => setPending(null)} />}
    </span>
  );
}

/** "Switch to X?" for the header and the Connections view alike. */
export function SwitchConfirm({ id, onDone }: { id: string; onDone: () => void }) {
  const { profiles, activeId, activate } = useProfilesStore();
  const target = profiles.find((p) => p.id === id);
  const current = activeProfile({ profiles, activeId });
  if (!target) return null;
  return (
    <ConfirmDialog
      title={`Switch to ${target.name}?`}
      confirmLabel={`Switch to ${target.name}`}
      testId="profile-switch-confirm"
      onCancel={onDone}
      onConfirm={() => {
        onDone();
        void activate(target.id);
      }}
    >
      <p>
        Every view will show <strong>{target.name}</strong> <EnvironmentBadge environment={target.environment} /> at <code>{target.address}</code>
        {current ? (
          <>
            {' '}
            instead of <strong>{current.name}</strong> <EnvironmentBadge environment={current.environment} />
          </>
        ) : null}
        .
      </p>
      <p className="muted small">Your session with each cluster stays in the OS keychain; switching back resumes it.</p>
    </ConfirmDialog>
  );
}
