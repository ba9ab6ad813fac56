import { useState, type FormEvent } from 'react';
import { useRevealStore } from '../store';

/** First use: create the TOTP key in Vault and show its QR code once. */
export function EnrollTotp() {
  const { enrollment, busy, error, enroll, finishEnrollment } = useRevealStore();
  const [password, setPassword] = useState('');

  if (enrollment) {
    return (
      <div className="reveal-enroll" data-testid="totp-enrollment">
        <p>Scan this code with your authenticator app. It is shown once; Vault keeps the key.</p>
        <img className="totp-qr" src={`data:image/png;base64,${enrollment.qrPngBase64}`} alt="TOTP QR code" width={200} height={200} data-testid="totp-qr" />
        <details>
          <summary>Can&apos;t scan? Enter the key by hand</summary>
          <code className="mono" data-testid="totp-url">
            {enrollment.otpauthUrl}
          </code>
        </details>
        <button type="button" className="primary" onClick={finishEnrollment} data-testid="totp-done">
          I have added it
        </button>
      </div>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const pw = password;
    setPassword('');
    await enroll(pw);
  };
  return (
    <form className="reveal-enroll" onSubmit={(e) => void submit(e)} data-testid="totp-enroll">
      <p>Viewing credentials needs 2FA. Set up your authenticator app first.</p>
      <label>
        Enter your password to continue
        <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="totp-enroll-password" required />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="reveal-error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy} data-testid="totp-enroll-submit">
        Set up 2FA
      </button>
    </form>
  );
}
