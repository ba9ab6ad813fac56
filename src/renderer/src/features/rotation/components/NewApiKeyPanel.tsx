import { useEffect, useState } from 'react';
import { formatRemaining } from '../../reveal/store';
import { useApiKeyStore } from '../api-key-store';
import { EyeIcon, EyeOffIcon } from '../../../lib/icons';

const CLOSED_TEXT: Record<string, string> = {
  timer: 'The new API key was shown for its whole window and is now hidden. It cannot be shown again.',
  'sign-out': 'You signed out; the new API key was hidden. It cannot be shown again.',
  'lock-screen': 'The screen locked; the new API key was hidden. It cannot be shown again.',
  'window-closed': 'The window closed; the new API key was hidden.',
  replaced: 'Another new API key was shown; this one was hidden.',
  quit: 'The console is quitting; the new API key was hidden.',
  user: 'The new API key was hidden.',
};

/** The new key of an API-key rotation, for its window: countdown, masked value, copy (by main). */
export function NewApiKeyPanel() {
  const { view, deadline, copied, error, closedReason, copy, hide, listen } = useApiKeyStore();
  const [now, setNow] = useState(() => performance.now());
  const [shown, setShown] = useState(false);
  useEffect(() => listen(), [listen]);
  useEffect(() => {
    const t = window.setInterval(() => setNow(performance.now()), 250);
    return () => window.clearInterval(t);
  }, []);
  const remaining = deadline === null ? 0 : deadline - now;
  useEffect(() => {
    if (view && remaining <= 0) hide('timer');
  }, [view, remaining, hide]);

  if (!view) {
    return closedReason ? (
      <p className="notice" role="status" data-testid="api-key-closed">
        {CLOSED_TEXT[closedReason] ?? CLOSED_TEXT.user}
      </p>
    ) : null;
  }
  const warn = remaining <= view.warnAtMs;
  return (
    <div className="reveal-credentials" data-testid="api-key-once">
      <p className="reveal-warning" role="note">
        ⚠️ This is the only time the new API key is shown: Vault stores only its hash. Hand it to the tenant now; closing this hides it for good.
      </p>
      <p className={warn ? 'reveal-countdown warn' : 'reveal-countdown'} role="timer" data-testid="api-key-countdown">
        Hidden in {formatRemaining(remaining)}
      </p>
      <div className="reveal-field">
        <span className="mono" data-testid="api-key-value">
          {shown ? view.apiKey : `${view.prefix}${'•'.repeat(16)}`}
        </span>
        <button type="button" className="small" aria-label={shown ? 'Hide key' : 'Show key'} aria-pressed={shown} onClick={() => setShown(!shown)} data-testid="api-key-toggle">
          {shown ? <EyeOffIcon /> : <EyeIcon />}
        </button>
        <button type="button" className="small" onClick={() => void copy()} data-testid="api-key-copy">
          {copied ? 'Copied ✓' : 'Copy'}
        </button>
      </div>
      {copied && (
        <p className="muted small" role="status" data-testid="api-key-copied">
          Copied to the clipboard. It is cleared when this closes, if it still holds the key.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
