import { useEffect } from 'react';
import { useEscape } from '../../../lib/use-escape';
import { useRevealStore } from '../store';
import { CredentialsPanel } from './CredentialsPanel';
import { EnrolmentPanel } from '../../enrolment';
import { ReauthForm } from './ReauthForm';

const CLOSED_TEXT: Record<string, string> = {
  timer: 'The credentials expired and were hidden.',
  'sign-out': 'You signed out; the credentials were hidden.',
  'lock-screen': 'The screen locked; the credentials were hidden.',
  'window-closed': 'The window closed; the credentials were hidden.',
  replaced: 'Another credential was opened; these were hidden.',
  quit: 'The console is quitting; the credentials were hidden.',
  user: 'The credentials were hidden.',
};

/** Re-authenticate, then show the credential for the reveal window. */
export function RevealModal() {
  const { target, status, view, closedReason, close, listen, loadStatus } = useRevealStore();
  useEffect(() => listen(), [listen]);
  // Escape closes like Close: the value is dropped and main wipes it.
  useEscape(() => void close(), target !== null);
  if (!target) return null;
  const needsEnrollment = !view && status?.available && status.enrolled === false;

  return (
    <div className="reveal-backdrop">
      <div className="reveal-modal card" role="dialog" aria-modal="true" aria-labelledby="reveal-title" data-testid="reveal-modal">
        <h2 id="reveal-title" data-testid="reveal-title">
          SMTP Admin Credentials - Tenant: {view?.tenantName ?? target.tenantName}
        </h2>
        {closedReason && !view && (
          <p className="notice" role="status" data-testid="reveal-closed">
            {CLOSED_TEXT[closedReason] ?? CLOSED_TEXT.user}
          </p>
        )}
        {view ? (
          <CredentialsPanel />
        ) : needsEnrollment ? (
          <div className="reveal-enroll" data-testid="reveal-needs-2fa">
            <p>Viewing credentials needs your second factor. Another admin grants it; you set it up here.</p>
            <EnrolmentPanel onActivated={() => void loadStatus()} />
          </div>
        ) : (
          <ReauthForm />
        )}
        {!view && (
          <div className="reveal-actions">
            <button type="button" onClick={() => void close()} data-testid="reveal-cancel">
              Cancel
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
