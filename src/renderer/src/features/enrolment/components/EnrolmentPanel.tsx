// Your own second factor: its state, the grants other admins made for you, and setting it
// up from one of them: scan the QR code, then prove the scan with a code. Until Vault
// accepts that code nothing changes (an old factor keeps working).
import { useEffect, useState, type FormEvent } from 'react';
import { GatedButton } from '../../../components/GatedButton';
import { Time } from '../../../lib/Time';
import { useEnrolmentStore } from '../store';

const STATE_LABEL = { ready: 'ready to set up', opened: 'opened', expired: 'expired', active: 'in use' } as const;

/** One time format everywhere: UTC on screen, the local time on hover. */
function when(iso: string) {
  return <Time value={iso || null} />;
}

export function EnrolmentPanel({ onActivated }: { onActivated?: () => void }) {
  const { status, started, busy, error, notice, load, begin, confirm, drop } = useEnrolmentStore();
  const [code, setCode] = useState('');
  useEffect(() => {
    void load();
    // The seed is never kept once the panel goes.
    return () => useEnrolmentStore.getState().drop();
  }, [load]);

  if (!status) return <p className="muted">{error ?? 'Loading…'}</p>;
  if (!status.available) {
    return (
      <p className="muted" data-testid="enrolment-unavailable">
        {status.reason}
      </p>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = code;
    setCode('');
    if (await confirm(c)) onActivated?.();
  };

  return (
    <div className="enrolment-panel" data-testid="enrolment-panel">
      <p data-testid="enrolment-status">
        {status.active
          ? <>Your second factor is active: granted by {status.active.grantedBy}, activated {when(status.active.activatedAt)}.</>
          : 'You have no active second factor yet. Viewing credentials needs one.'}
      </p>
      {notice && (
        <p className="notice" role="status" data-testid="enrolment-notice">
          {notice}
        </p>
      )}
      {started ? (
        <form className="enrolment-scan" onSubmit={(e) => void submit(e)} data-testid="enrolment-scan">
          <p>
            Scan this code with your authenticator app now: the grant from {started.grantedBy} opens only once. Then enter the code the app shows; the factor
            becomes active only when Vault accepts it.
          </p>
          <img className="totp-qr" src={`data:image/png;base64,${started.qrPngBase64}`} alt="TOTP QR code" width={200} height={200} data-testid="enrolment-qr" />
          <details>
            <summary>Can&apos;t scan? Enter the key by hand</summary>
            <code className="mono" data-testid="enrolment-url">
              {started.otpauthUrl}
            </code>
          </details>
          <label>
            Code from the app
            <input inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} data-testid="enrolment-code" />
          </label>
          {error && (
            <p className="error" role="alert" data-testid="enrolment-error">
              {error}
            </p>
          )}
          <div className="row">
            <GatedButton type="submit" gate={null} className="primary" inactive={busy || code.length !== 6} testId="enrolment-confirm">
              {busy ? 'Checking…' : 'Activate'}
            </GatedButton>
            <button type="button" onClick={drop} data-testid="enrolment-drop">
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          {status.grants.length === 0 ? (
            <p className="muted" data-testid="enrolment-no-grants">
              {status.active ? 'To replace it, ' : 'To set one up, '}ask another admin to grant you an enrolment (Two-factor → Grant an enrolment) for your username{' '}
              <code>{status.username ?? '?'}</code>. Nobody can grant one to themselves.
            </p>
          ) : (
            <table className="data" data-testid="enrolment-grants">
              <thead>
                <tr>
                  <th>Granted by</th>
                  <th>Granted</th>
                  <th>Expires</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {status.grants.map((g) => (
                  <tr key={g.grantId} data-testid="enrolment-grant-row" data-state={g.state}>
                    <td>
                      {g.grantedBy}
                      {!g.grantedByVerified && <span className="muted small"> (Vault could not confirm this name)</span>}
                    </td>
                    <td>{when(g.createdAt)}</td>
                    <td>{when(g.expiresAt)}</td>
                    <td>{STATE_LABEL[g.state]}</td>
                    <td>
                      {g.state === 'ready' && (
                        <GatedButton gate={null} inactive={busy} onClick={() => void begin(g.granterEntityId)} testId="enrolment-open">
                          Set up with this grant
                        </GatedButton>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {error && (
            <p className="error" role="alert" data-testid="enrolment-error">
              {error}
            </p>
          )}
        </>
      )}
    </div>
  );
}
