import { useEffect, useState } from 'react';
import { call } from '../../../lib/ipc-client';
import { EmergencyResetButton } from '../../rotation/components/EmergencyResetButton';
import { RotateNowButton } from '../../rotation/components/RotateNowButton';
import { formatRemaining, useRevealStore } from '../store';
import { Time } from '../../../lib/Time';
import { EyeIcon, EyeOffIcon } from '../../../lib/icons';

const WARNING = '⚠️ These credentials provide full access to the tenant\'s email infrastructure. Handle with care.';

/** The credential during its window: countdown, copy, masked password, dates, actions. */
export function CredentialsPanel() {
  const { view, deadline, copied, error, copy, close, hide } = useRevealStore();
  const [now, setNow] = useState(() => performance.now());
  const [shown, setShown] = useState(false);

  useEffect(() => {
    const t = window.setInterval(() => setNow(performance.now()), 250);
    return () => window.clearInterval(t);
  }, []);
  const remaining = deadline === null ? 0 : deadline - now;
  useEffect(() => {
    if (view && remaining <= 0) hide('timer');
  }, [view, remaining, hide]);
  if (!view) return null;
  const warn = remaining <= view.warnAtMs;

  return (
    <div className="reveal-credentials" data-testid="reveal-credentials">
      <p className={warn ? 'reveal-countdown warn' : 'reveal-countdown'} role="timer" data-testid="reveal-countdown">
        Credentials expire in {formatRemaining(remaining)}
      </p>
      {warn && (
        <p className="notice" role="alert" data-testid="reveal-expiry-warning">
          Less than a minute left: the credentials will be hidden.
        </p>
      )}
      <p className="reveal-warning" role="note" data-testid="reveal-warning">
        {WARNING}
      </p>
      <dl className="kv">
        <dt>Username</dt>
        <dd className="reveal-field">
          <span className="mono" data-testid="reveal-username">
            {view.username}
          </span>
          <button type="button" className="small" onClick={() => void copy('username')} data-testid="copy-username">
            {copied === 'username' ? 'Copied ✓' : 'Copy'}
          </button>
        </dd>
        <dt>Password</dt>
        <dd className="reveal-field">
          <span className="mono" data-testid="reveal-password-value">
            {shown ? view.password : '•'.repeat(16)}
          </span>
          <button type="button" className="small" aria-label={shown ? 'Hide password' : 'Show password'} aria-pressed={shown} onClick={() => setShown(!shown)} data-testid="toggle-password">
            {shown ? <EyeOffIcon /> : <EyeIcon />}
          </button>
          <button type="button" className="small" onClick={() => void copy('password')} data-testid="copy-password">
            {copied === 'password' ? 'Copied ✓' : 'Copy'}
          </button>
        </dd>
        <dt>Webmail</dt>
        <dd>
          {view.webmailUrl ? (
            <a
              href={view.webmailUrl}
              onClick={(e) => {
                e.preventDefault();
                // Opens in the external browser; main accepts https only.
                void call('shell:open-external', { url: view.webmailUrl! }).catch(() => undefined);
              }}
              data-testid="reveal-webmail"
            >
              {view.webmailUrl}
            </a>
          ) : (
            '—'
          )}
        </dd>
        {view.smtpHost && (
          <>
            <dt>SMTP server</dt>
            <dd className="mono">
              {view.smtpHost}
              {view.smtpPort ? `:${view.smtpPort}` : ''}
            </dd>
          </>
        )}
        <dt>Created</dt>
        <dd data-testid="reveal-created"><Time value={view.createdAt} /></dd>
        <dt>Last rotated</dt>
        <dd data-testid="reveal-last-rotated"><Time value={view.lastRotated} /></dd>
        <dt>Next rotation</dt>
        <dd data-testid="reveal-next-rotation"><Time value={view.nextRotation} /></dd>
      </dl>
      {copied && (
        <p className="muted small" role="status" data-testid="reveal-copied">
          Copied to the clipboard. It is cleared when these credentials close.
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="reveal-error">
          {error}
        </p>
      )}
      <div className="reveal-actions">
        <button type="button" className="primary" onClick={() => void close()} data-testid="reveal-close">
          Close
        </button>
        {/* Rotating makes the shown password stale: close the reveal once it is done. */}
        <RotateNowButton tenantId={view.tenantId} target="smtp" onRotated={() => void close()} />
        <EmergencyResetButton tenantId={view.tenantId} target="smtp" onReset={() => void close()} />
      </div>
    </div>
  );
}
