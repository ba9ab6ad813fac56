// Where this connection profile's Audit view reads events: the local store or a
// VictoriaLogs endpoint (URL, CA, stream filter, auth). The token or password goes to
// main, which keeps it in the OS keychain; it is never shown back (the form says only
// that one is stored), and the field is emptied once it is saved. "Test connection"
// asks the saved source now and says how it answered.
import { useEffect, useState, type FormEvent } from 'react';
import type { AuditSourceSettingsView, AuditSourceStatus } from '../../../../shared/contract';
import { call, errorMessage } from '../../lib/ipc-client';
import { STATE_TEXT } from './AuditSourceBadge';

type AuthKind = AuditSourceSettingsView['authKind'];

interface Form {
  kind: AuditSourceSettingsView['kind'];
  url: string;
  caPem: string;
  streamFilter: string;
  authKind: AuthKind;
  authUser: string;
  authHeader: string;
  credential: string;
  timeoutSeconds: string;
}

const CREDENTIAL_LABEL: Record<Exclude<AuthKind, 'none'>, string> = { bearer: 'Token', basic: 'Password', header: 'Header value' };

function toForm(v: AuditSourceSettingsView): Form {
  return {
    kind: v.kind,
    url: v.url ?? '',
    caPem: v.caPem ?? '',
    streamFilter: v.streamFilter,
    authKind: v.authKind,
    authUser: v.authUser ?? '',
    authHeader: v.authHeader ?? '',
    credential: '',
    timeoutSeconds: String(v.timeoutMs / 1000),
  };
}

export function AuditSourcePanel({ onSaved }: { onSaved?: () => void }) {
  const [saved, setSaved] = useState<AuditSourceSettingsView | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<AuditSourceStatus | null>(null);

  useEffect(() => {
    call('audit:source-get')
      .then((v) => {
        setSaved(v);
        setForm(toForm(v));
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, []);

  if (!form || !saved) {
    return (
      <section className="card" data-testid="audit-source-panel">
        {error ? <p className="error" role="alert" data-testid="audit-source-form-error">{error}</p> : <p className="muted">Loading…</p>}
      </section>
    );
  }

  const put = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setNotice(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const seconds = Number(form.timeoutSeconds);
    if (form.kind === 'victorialogs' && (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 120)) {
      setError('The timeout is between 0.5 and 120 seconds.');
      return;
    }
    setBusy(true);
    try {
      const v = await call(
        'audit:source-set',
        form.kind === 'local'
          ? { kind: 'local' }
          : {
              kind: 'victorialogs',
              url: form.url,
              caPem: form.caPem.trim() || null,
              streamFilter: form.streamFilter,
              authKind: form.authKind,
              ...(form.authKind === 'basic' ? { authUser: form.authUser } : {}),
              ...(form.authKind === 'header' ? { authHeader: form.authHeader } : {}),
              // Empty: keep the credential already in the keychain.
              ...(form.authKind !== 'none' && form.credential !== '' ? { credential: form.credential } : {}),
              timeoutMs: Math.round(seconds * 1000),
            },
      );
      setSaved(v);
      setForm(toForm(v));
      setError(null);
      setTest(null);
      setNotice(v.kind === 'local' ? 'Saved: the Audit view reads the local store.' : 'Saved: the Audit view reads VictoriaLogs.');
      onSaved?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const runTest = async () => {
    setBusy(true);
    try {
      setTest(await call('audit:source-test'));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const vl = form.kind === 'victorialogs';
  const dirty = JSON.stringify({ ...form, credential: '' }) !== JSON.stringify(toForm(saved)) || form.credential !== '';
  return (
    <form className="card audit-source-settings" onSubmit={(e) => void submit(e)} data-testid="audit-source-panel" autoComplete="off">
      <h2>Audit source of this connection profile</h2>
      <fieldset>
        <legend>Read events from</legend>
        <label>
          <input type="radio" name="audit-source-kind" value="local" checked={!vl} onChange={() => put({ kind: 'local' })} data-testid="audit-source-kind-local" /> The local store (this machine; works offline)
        </label>
        <label>
          <input type="radio" name="audit-source-kind" value="victorialogs" checked={vl} onChange={() => put({ kind: 'victorialogs' })} data-testid="audit-source-kind-victorialogs" /> VictoriaLogs (the fleet's audit events, queried with LogsQL)
        </label>
      </fieldset>
      {vl && (
        <>
          <fieldset>
            <legend>Endpoint</legend>
            <label>
              URL <input value={form.url} onChange={(e) => put({ url: e.target.value })} size={40} placeholder="https://logs.example:9428" data-testid="audit-source-url" />
            </label>
            <span className="muted small"> https:// (plain http:// only to 127.0.0.1 or ::1); no credentials in the URL.</span>
            <label>
              Stream filter <input value={form.streamFilter} onChange={(e) => put({ streamFilter: e.target.value })} size={32} placeholder='{vault_cluster="prod-eu"}' data-testid="audit-source-stream" />
            </label>
            <label>
              Timeout <input value={form.timeoutSeconds} onChange={(e) => put({ timeoutSeconds: e.target.value })} size={5} inputMode="decimal" data-testid="audit-source-timeout" /> <span className="muted small">seconds</span>
            </label>
            <label className="audit-source-ca">
              CA certificate (PEM; empty: the system's)
              <textarea value={form.caPem} onChange={(e) => put({ caPem: e.target.value })} rows={3} cols={64} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" data-testid="audit-source-ca" />
            </label>
          </fieldset>
          <fieldset>
            <legend>Authentication (a read-only credential: the console only queries)</legend>
            <label>
              Kind{' '}
              <select value={form.authKind} onChange={(e) => put({ authKind: e.target.value as AuthKind, credential: '' })} data-testid="audit-source-auth">
                <option value="none">None</option>
                <option value="bearer">Bearer token</option>
                <option value="basic">Basic (user and password)</option>
                <option value="header">A named header (a proxy's token)</option>
              </select>
            </label>
            {form.authKind === 'basic' && (
              <label>
                User <input value={form.authUser} onChange={(e) => put({ authUser: e.target.value })} size={20} data-testid="audit-source-auth-user" />
              </label>
            )}
            {form.authKind === 'header' && (
              <label>
                Header name <input value={form.authHeader} onChange={(e) => put({ authHeader: e.target.value })} size={20} placeholder="X-Scope-Token" data-testid="audit-source-auth-header" />
              </label>
            )}
            {form.authKind !== 'none' && (
              <label>
                {CREDENTIAL_LABEL[form.authKind]}{' '}
                <input
                  type="password"
                  value={form.credential}
                  onChange={(e) => put({ credential: e.target.value })}
                  size={28}
                  autoComplete="new-password"
                  placeholder={saved.hasCredential && saved.authKind === form.authKind ? 'stored in the keychain; type to replace' : 'kept in the OS keychain'}
                  data-testid="audit-source-credential"
                />
              </label>
            )}
            {form.authKind !== 'none' && (
              <p className="muted small" data-testid="audit-source-credential-state">
                {saved.hasCredential ? 'A credential for this profile is in the OS keychain; it is never shown.' : 'No credential stored yet.'}
              </p>
            )}
          </fieldset>
        </>
      )}
      {error && (
        <p className="error" role="alert" data-testid="audit-source-form-error">
          {error}
        </p>
      )}
      {notice && !error && (
        <p className="muted" data-testid="audit-source-saved">
          {notice}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy || !dirty} data-testid="audit-source-save">
          Save
        </button>{' '}
        <button type="button" disabled={busy || dirty} title={dirty ? 'Save first: the test asks the saved source' : 'Asks the saved source now'} onClick={() => void runTest()} data-testid="audit-source-test">
          Test connection
        </button>
      </div>
      {test && (
        <p className={test.state === 'ok' ? 'muted' : 'error'} role={test.state === 'ok' ? undefined : 'alert'} data-testid="audit-source-test-result" data-state={test.state}>
          {test.label}: {test.kind === 'local' ? 'always available' : STATE_TEXT[test.state]}
          {test.message ? ` · ${test.message}` : ''}
        </p>
      )}
    </form>
  );
}
