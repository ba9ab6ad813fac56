// The DKIM section's DNS part in a tenant's details: per key, whether the new selector
// (and the previous one during its grace) is published with the key, per resolver;
// "Check DNS now"; "waiting for DNS" (yellow) with how long; retire anyway with a reason.
import { useCallback, useEffect, useState } from 'react';
import type { DkimKeyDns, ResolverResult, SelectorDns, TenantDkimDns } from '../../../../../shared/contract';
import { waitingText, type DnsState } from '../../../../../shared/dkim/dns-rules';
import { call, errorMessage, on } from '../../../lib/ipc-client';
import { GatedButton } from '../../../components/GatedButton';
import { Time } from '../../../lib/Time';
import { DkimResolversForm } from './DkimResolversForm';

const STATE_LABEL: Record<DnsState, string> = {
  published: 'Published',
  mismatch: 'Different key',
  missing: 'Not found',
  unverified: 'No answer',
  unchecked: 'Not checked',
};
const STATE_COLOUR: Record<DnsState, string> = { published: 'green', mismatch: 'red', missing: 'red', unverified: 'yellow', unchecked: 'grey' };
const RESOLVER_LABEL: Record<ResolverResult['state'], string> = { published: 'Published', mismatch: 'Different key', missing: 'Not found', 'no-answer': 'No answer' };
const RESOLVER_COLOUR: Record<ResolverResult['state'], string> = { published: 'green', mismatch: 'red', missing: 'red', 'no-answer': 'yellow' };

/** One time format everywhere: UTC on screen, the local time on hover. */
function when(iso: string | null) {
  return <Time value={iso} />;
}

function StateBadge({ state, testId }: { state: DnsState; testId?: string }) {
  return (
    <span className={`health health-${STATE_COLOUR[state]}`} data-testid={testId} data-state={state}>
      {STATE_LABEL[state]}
    </span>
  );
}

function SelectorCell({ s, testId }: { s: SelectorDns | null; testId: string }) {
  if (!s) return <span className="muted">—</span>;
  return (
    <div data-testid={testId}>
      <code>{s.selector}</code> <StateBadge state={s.state} testId={`${testId}-state`} />
      {s.resolvers.length > 0 && (
        <ul className="dns-resolvers" data-testid={`${testId}-resolvers`}>
          {s.resolvers.map((r) => (
            <li key={r.resolver} data-testid="dns-resolver" data-resolver={r.resolver} data-state={r.state}>
              <code>{r.resolver}</code>{' '}
              <span className={`health health-${RESOLVER_COLOUR[r.state]}`}>{RESOLVER_LABEL[r.state]}</span> <span className="muted small">{r.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function DkimDnsSection({ tenantId, onChanged }: { tenantId: string; onChanged?: () => void }) {
  const [dns, setDns] = useState<TenantDkimDns | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [retiring, setRetiring] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [editResolvers, setEditResolvers] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const now = Date.now();

  const load = useCallback(async () => {
    try {
      setDns(await call('dkim:status', { tenantId }));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [tenantId]);

  useEffect(() => {
    setDns(null);
    void load();
    // A scheduled re-check recorded new states for this tenant: show them.
    return on('dkim:dns-updated', (e) => {
      if (e.tenantIds.includes(tenantId)) void load();
    });
  }, [load, tenantId]);

  const check = async () => {
    setBusy(true);
    try {
      setDns(await call('dkim:check', { tenantId }));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const retire = async (k: DkimKeyDns) => {
    try {
      const r = await call('dkim:retire-anyway', { tenantId, domain: k.domain, reason });
      setRetiring(null);
      setReason('');
      setError(null);
      await load();
      onChanged?.();
      setNotice(`Previous selector ${r.selector ?? ''} retired (recorded as ${r.requestId}).`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <div className="dkim-dns card" data-testid="dkim-dns-section">
      <div className="view-header">
        <h4>DNS</h4>
        <GatedButton
          gate={dns ? { action: 'dkim.check', tenantId, domains: dns.keys.map((k) => k.domain) } : null}
          inactive={busy || dns === null}
          className="small"
          onClick={() => void check()}
          testId="dkim-check-dns"
        >
          {busy ? 'Checking…' : 'Check DNS now'}
        </GatedButton>
      </div>
      {dns && (
        <p className="muted small" data-testid="dkim-dns-resolvers">
          Resolvers ({dns.resolvers.source === 'profile' ? 'this connection profile' : dns.resolvers.source === 'environment' ? 'VAULT_CONSOLE_DNS_RESOLVERS' : 'the system’s'}): {dns.resolvers.list.join(', ') || 'none'}{' '}
          <button type="button" className="link-button small" onClick={() => setEditResolvers((x) => !x)} data-testid="dkim-edit-resolvers">
            {editResolvers ? 'Close' : 'Change'}
          </button>
          {dns.checkedNow ? ' · checked just now' : ' · as last recorded in Vault'}
        </p>
      )}
      {editResolvers && (
        <DkimResolversForm
          onSaved={() => {
            setEditResolvers(false);
            void load();
          }}
        />
      )}
      {error && (
        <p className="error" role="alert" data-testid="dkim-dns-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice" role="status" data-testid="dkim-dns-notice">
          {notice}
        </p>
      )}
      {dns && dns.keys.length > 0 && (
        <table className="data" data-testid="dkim-dns-table">
          <thead>
            <tr>
              <th>Domain</th>
              <th>New selector</th>
              <th>Previous selector</th>
              <th>Switch-over</th>
              <th>Last checked</th>
            </tr>
          </thead>
          <tbody>
            {dns.keys.map((k) => (
              <tr key={k.domain} data-testid="dkim-dns-row" data-domain={k.domain}>
                <td>{k.domain}</td>
                <td>
                  <SelectorCell s={k.current} testId="dkim-dns-new" />
                  {k.problem && <span className="error small">{k.problem}</span>}
                </td>
                <td>
                  {k.previous ? (
                    <>
                      <SelectorCell s={k.previous} testId="dkim-dns-previous" />
                      <span className="muted small">grace until {when(k.previous.graceUntil)}</span>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {k.waiting ? (
                    <div>
                      <span className="health health-yellow" data-testid="dkim-waiting" title={k.waiting.reason}>
                        Waiting for DNS
                      </span>
                      <div className="small" data-testid="dkim-waiting-text">
                        {waitingText(k.waiting, now)}
                      </div>
                      <div className="muted small">{k.waiting.reason}</div>
                      {retiring === k.domain ? (
                        <form
                          className="inline-form"
                          onSubmit={(e) => {
                            e.preventDefault();
                            void retire(k);
                          }}
                        >
                          <label>
                            Reason (recorded)
                            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={400} data-testid="dkim-retire-reason" />
                          </label>
                          <button type="submit" className="small danger" disabled={reason.trim() === ''} data-testid="dkim-retire-confirm">
                            Retire {k.previous?.selector} anyway
                          </button>
                          <button type="button" className="small" onClick={() => setRetiring(null)}>
                            Cancel
                          </button>
                        </form>
                      ) : (
                        <GatedButton gate={{ action: 'dkim.retire', tenantId, domain: k.domain }} className="small" onClick={() => setRetiring(k.domain)} testId="dkim-retire-anyway">
                          Retire anyway…
                        </GatedButton>
                      )}
                    </div>
                  ) : k.previous ? (
                    <span className="muted small" data-testid="dkim-switch-over">
                      {k.retireAfter ? <>retires at the earliest {when(k.retireAfter)}</> : `waits until the new selector is published everywhere for ${k.holdHours} h`}
                    </span>
                  ) : k.override ? (
                    <span className="small" data-testid="dkim-override">
                      {k.override.selector ?? 'previous selector'} retired anyway by {k.override.by} ({when(k.override.at)}): {k.override.reason}
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="small">
                  {when(k.checkedAt)}
                  {k.checkedBy ? <span className="muted"> by {k.checkedBy}</span> : null}
                  {k.firstSeen ? <div className="muted">published everywhere since {when(k.firstSeen)}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
