// Grant another admin a second-factor enrolment. Vault creates their key wrapped for them
// (you never see it) and keeps the grant; it opens once and expires.
import { useState, type FormEvent } from 'react';
import { Time } from '../../../lib/Time';
import { GRANT_MINUTES } from '../../../../../shared/enrolment-rules';
import { GatedButton } from '../../../components/GatedButton';
import { useSessionStore } from '../../session/store';
import { useEnrolmentStore } from '../store';

const VALIDITY: Array<[number, string]> = [
  [60, '1 hour'],
  [GRANT_MINUTES.default, '24 hours'],
  [GRANT_MINUTES.max, '72 hours'],
];

export function GrantForm() {
  const { busy, granted, grantError, grant } = useEnrolmentStore();
  const me = useSessionStore((s) => s.info?.username ?? null);
  const [username, setUsername] = useState('');
  const [minutes, setMinutes] = useState<number>(GRANT_MINUTES.default);
  const who = username.trim();
  const self = me !== null && who.toLowerCase() === me.toLowerCase();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await grant(who, minutes)) setUsername('');
  };

  return (
    <form className="card grant-form" onSubmit={(e) => void submit(e)} data-testid="grant-form">
      <h2>Grant an enrolment</h2>
      <p className="muted small">
        For another admin who has no second factor yet, or lost theirs. Check who asks (in person or on a call you placed): with this grant and their password,
        anyone can set up their factor. It opens once and expires.
      </p>
      <label>
        Their username <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" spellCheck={false} data-testid="grant-username" />
      </label>
      <label>
        Valid for{' '}
        <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} data-testid="grant-valid">
          {VALIDITY.map(([m, l]) => (
            <option key={m} value={m}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <GatedButton
        type="submit"
        gate={{ action: 'enrolment.grant' }}
        blocked={self ? 'A second factor is granted by another admin: you cannot grant one to yourself.' : null}
        inactive={busy || who === ''}
        testId="grant-submit"
      >
        Grant enrolment
      </GatedButton>
      {grantError && (
        <p className="error" role="alert" data-testid="grant-error">
          {grantError}
        </p>
      )}
      {granted && (
        <p className="notice" role="status" data-testid="grant-result">
          Granted to {granted.username} until <Time value={granted.expiresAt} />. They open it in Two-factor (or when they first view credentials).
        </p>
      )}
    </form>
  );
}
