import { useState, type FormEvent } from 'react';
import { useSessionStore } from '../store';

/** Sign in with userpass or a token. Inputs are cleared as soon as they were sent. */
export function SignInForm() {
  const { busy, error, info, loginUserpass, loginToken } = useSessionStore();
  const [method, setMethod] = useState<'userpass' | 'token'>('userpass');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (method === 'userpass') {
      const pw = password;
      setPassword('');
      await loginUserpass(username.trim(), pw);
    } else {
      const t = token;
      setToken('');
      await loginToken(t);
    }
  };

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title" data-testid="sign-in">
      <h2 id="sign-in-title">Sign in to Vault</h2>
      <p className="muted">{info?.address}</p>
      {info?.problem && !error && (
        <p className="notice" role="status" data-testid="sign-in-problem">
          {info.problem}
        </p>
      )}
      <div className="segmented" role="tablist" aria-label="Sign-in method">
        <button type="button" role="tab" aria-selected={method === 'userpass'} className={method === 'userpass' ? 'active' : ''} onClick={() => setMethod('userpass')} data-testid="method-userpass">
          Username
        </button>
        <button type="button" role="tab" aria-selected={method === 'token'} className={method === 'token' ? 'active' : ''} onClick={() => setMethod('token')} data-testid="method-token">
          Token
        </button>
      </div>
      <form onSubmit={(e) => void submit(e)}>
        {method === 'userpass' ? (
          <>
            <label>
              Username
              <input autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} data-testid="sign-in-username" required />
            </label>
            <label>
              Password
              <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="sign-in-password" required />
            </label>
          </>
        ) : (
          <label>
            Vault token
            <input type="password" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} data-testid="sign-in-token" required />
          </label>
        )}
        {error && (
          <p className="error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="sign-in-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted small">The token is kept in your operating system&apos;s keychain, never on disk.</p>
    </section>
  );
}
