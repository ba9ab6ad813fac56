import { useState, type FormEvent } from 'react';
import { useRevealStore } from '../store';
import { Time } from '../../../lib/Time';

/** Password + 2FA code, both checked by Vault in main. Inputs are cleared once sent. */
export function ReauthForm() {
  const { status, busy, error, verify } = useRevealStore();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const locked = status?.lockedUntil ? new Date(status.lockedUntil) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const pw = password;
    const c = code.replace(/\s+/g, '');
    setPassword('');
    setCode('');
    await verify(pw, c);
  };

  if (status && !status.available) {
    return (
      <p className="notice" data-testid="reveal-unavailable">
        {status.reason}
      </p>
    );
  }
  return (
    <form className="reveal-reauth" onSubmit={(e) => void submit(e)} data-testid="reveal-reauth">
      <label>
        Enter your password to continue
        <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="reveal-password" required />
      </label>
      <label>
        Enter your 2FA code
        <input inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} data-testid="reveal-code" required />
      </label>
      {locked && (
        <p className="error" role="alert" data-testid="reveal-locked">
          Too many failed attempts: viewing credentials is locked until <Time value={locked} />.
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="reveal-error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy} data-testid="reveal-verify">
        {busy ? 'Verifying…' : 'Verify'}
      </button>
    </form>
  );
}
