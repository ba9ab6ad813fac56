import { useSessionStore } from '../store';

export function SessionBadge({ onSignIn }: { onSignIn: () => void }) {
  const { info, logout, busy } = useSessionStore();
  if (!info) return null;
  if (!info.signedIn) {
    return (
      <button type="button" className="link-button" onClick={onSignIn} data-testid="session-sign-in">
        Sign in
      </button>
    );
  }
  return (
    <span className="session-badge" data-testid="session-badge">
      <span title={info.policies.join(', ')}>
        Signed in as <strong data-testid="session-user">{info.displayName}</strong>
      </span>
      <button type="button" className="link-button" disabled={busy} onClick={() => void logout()} data-testid="session-sign-out">
        Sign out
      </button>
    </span>
  );
}
