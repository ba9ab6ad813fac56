// Secret details of one tenant: from main's index (metadata), plus actions that main
// performs against Vault at the moment they are asked for.
import { useCallback, useEffect, useState } from 'react';
import type { DkimDns, RotationHistory, SshKeyInfo, TenantDetails } from '../../../../../shared/contract';
import { call, errorMessage } from '../../../lib/ipc-client';
import { useTenantsStore } from '../store';
import { Time } from '../../../lib/Time';
import { ViewCredentialsButton } from '../../reveal';
import { DkimDnsSection } from '../../dkim-dns';
import { EmergencyResetButton } from '../../rotation/components/EmergencyResetButton';
import { RotateNowButton } from '../../rotation/components/RotateNowButton';
import { GatedButton } from '../../../components/GatedButton';
import { ApiKeysSection } from './ApiKeysSection';
import { AuditTrailButton } from '../../audit/components/AuditTrailButton';
import { DkimTxtValue } from './DkimTxtValue';
import { HealthBadge } from './HealthBadge';

export function TenantDetailsPanel({ tenantId }: { tenantId: string }) {
  const select = useTenantsStore((s) => s.select);
  const [details, setDetails] = useState<TenantDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState<RotationHistory | null>(null);
  const [dns, setDns] = useState<DkimDns | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDetails(await call('tenants:show', { tenantId }));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [tenantId]);

  useEffect(() => {
    setDetails(null);
    setHistory(null);
    setDns(null);
    setNotice(null);
    void load();
  }, [load]);

  const showHistory = async (path: string) => {
    try {
      setHistory(await call('tenants:history', { tenantId, path }));
    } catch (err) {
      setNotice(errorMessage(err));
    }
  };
  const showDns = async (domain: string) => {
    try {
      setDns(await call('tenants:dkim-dns', { tenantId, domain }));
    } catch (err) {
      setNotice(errorMessage(err));
    }
  };
  const download = async () => {
    try {
      const r = await call('tenants:download-ssh-key', { tenantId });
      setNotice(r.saved ? `Saved to ${r.path} (owner read/write only).` : 'Download cancelled.');
      await load();
    } catch (err) {
      setNotice(errorMessage(err));
    }
  };

  return (
    <section className="tenant-details card" aria-label={`Secrets of ${tenantId}`} data-testid="tenant-details">
      <div className="view-header">
        <h2>
          {details ? details.name || tenantId : tenantId} <code>{tenantId}</code>
        </h2>
        <button type="button" onClick={() => select(null)} data-testid="details-close">
          Close
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="details-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice" role="status" data-testid="details-notice">
          {notice}
        </p>
      )}
      {details && (
        <>
          <p className="muted small">
            VPS {details.vpsIp || '—'} · {details.domains.join(', ') || 'no domains'} · indexed <Time value={details.scannedAt} />
          </p>
          {details.problems.length > 0 && (
            <ul className="problems" data-testid="details-problems">
              {details.problems.map((p) => (
                <li key={p.path}>
                  <code>{p.path}</code>: unknown — {p.reason}
                </li>
              ))}
            </ul>
          )}

          <h3>SSH Keys</h3>
          <div className="details-grid">
            <SshCard title="Admin SSH Key" testId="ssh-admin" target="ssh-admin" tenantId={tenantId} info={details.sshAdmin} onHistory={showHistory} onRotated={load} />
            <SshCard title="Tenant SSH Key" testId="ssh-tenant" target="ssh-tenant" tenantId={tenantId} info={details.sshTenant} onHistory={showHistory} onDownload={download} onRotated={load} />
          </div>
          {(details.sshAdmin || details.sshTenant) && (
            <div className="section-actions" data-testid="ssh-actions">
              <EmergencyResetButton tenantId={tenantId} target="ssh" onReset={() => void load()} />
            </div>
          )}

          <h3>SMTP Credentials</h3>
          {details.smtp ? (
            <dl className="kv" data-testid="smtp">
              <dt>Admin Username</dt>
              <dd data-testid="smtp-username">{details.smtp.usernameMasked ?? '—'}</dd>
              <dt>Webmail URL</dt>
              <dd data-testid="smtp-webmail">{details.smtp.webmailUrl ?? '—'}</dd>
              <dt>Last Rotated</dt>
              <dd><Time value={details.smtp.lastRotated} /></dd>
              <dt>Next Rotation</dt>
              <dd><Time value={details.smtp.nextRotation} /></dd>
              <dt>Rotation Status</dt>
              <dd>
                <HealthBadge health={details.smtp.health} reason={details.smtp.problem} testId="smtp-status" />
                {details.smtp.problem && <span className="muted small"> {details.smtp.problem}</span>}
              </dd>
            </dl>
          ) : (
            <p className="muted">No SMTP credentials.</p>
          )}
          {details.smtp && (
            <div className="section-actions" data-testid="smtp-actions">
              <ViewCredentialsButton tenantId={tenantId} tenantName={details.name} />
              <RotateNowButton tenantId={tenantId} target="smtp" expectedVersion={details.smtp.currentVersion} onRotated={() => void load()} />
              <EmergencyResetButton tenantId={tenantId} target="smtp" onReset={() => void load()} />
              <GatedButton gate={{ action: 'secrets.history', tenantId, path: details.smtp.path }} className="small" onClick={() => void showHistory(details.smtp!.path)} testId="smtp-history">
                View Rotation History
              </GatedButton>
              <AuditTrailButton tenantId={tenantId} secretType="smtp" label={`${tenantId}/smtp/admin`} testId="smtp-audit-trail" />
            </div>
          )}

          <h3>API Keys</h3>
          <ApiKeysSection tenantId={tenantId} keys={details.apiKeys} onChanged={load} onHistory={showHistory} />

          <h3>DKIM Keys</h3>
          <table className="data" data-testid="dkim-table">
            <thead>
              <tr>
                <th>Domain</th>
                <th>Selector</th>
                <th>Last Rotated</th>
                <th>Next Rotation</th>
                <th>Status</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {details.dkim.map((k) => (
                <tr key={k.domain} data-testid="dkim-row">
                  <td>{k.domain}</td>
                  <td>{k.selector ?? '—'}</td>
                  <td><Time value={k.lastRotated} /></td>
                  <td><Time value={k.nextRotation} /></td>
                  <td>
                    <HealthBadge health={k.health} reason={k.problem} />
                  </td>
                  <td>
                    <GatedButton gate={{ action: 'dkim.dns', tenantId, domain: k.domain }} className="small" onClick={() => void showDns(k.domain)} testId="dkim-dns">
                      View DNS Records
                    </GatedButton>{' '}
                    <GatedButton gate={{ action: 'secrets.history', tenantId, path: k.path }} className="small" onClick={() => void showHistory(k.path)} testId="dkim-history">
                      History
                    </GatedButton>{' '}
                    <RotateNowButton tenantId={tenantId} target={`dkim:${k.domain}`} expectedVersion={k.currentVersion} onRotated={() => void load()} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {details.dkim.length > 0 && <DkimDnsSection tenantId={tenantId} onChanged={() => void load()} />}
          {dns && <DnsRecords dns={dns} onClose={() => setDns(null)} />}
          {history && <HistoryList history={history} onClose={() => setHistory(null)} />}
        </>
      )}
    </section>
  );
}

function SshCard({
  title,
  testId,
  target,
  tenantId,
  info,
  onHistory,
  onDownload,
  onRotated,
}: {
  title: string;
  testId: string;
  target: 'ssh-admin' | 'ssh-tenant';
  tenantId: string;
  info: SshKeyInfo | null;
  onHistory(path: string): void;
  onDownload?: () => void;
  onRotated(): Promise<void>;
}) {
  if (!info) {
    return (
      <div className="card" data-testid={testId}>
        <h4>{title}</h4>
        <p className="muted">Missing.</p>
      </div>
    );
  }
  return (
    <div className="card" data-testid={testId}>
      <h4>{title}</h4>
      <dl className="kv">
        <dt>Status</dt>
        <dd>
          <HealthBadge health={info.health} reason={info.problem} testId={`${testId}-status`} />
          {info.problem && <span className="muted small"> {info.problem}</span>}
        </dd>
        <dt>Last Rotated</dt>
        <dd><Time value={info.lastRotated} /></dd>
        <dt>Next Rotation</dt>
        <dd><Time value={info.nextRotation} /></dd>
        <dt>Fingerprint</dt>
        <dd>
          <code data-testid={`${testId}-fingerprint`}>{info.fingerprint ?? '—'}</code>
        </dd>
        {onDownload && (
          <>
            <dt>Last Downloaded</dt>
            <dd data-testid={`${testId}-downloaded`}><Time value={info.lastDownloaded} fallback="Never" /></dd>
          </>
        )}
      </dl>
      <GatedButton gate={{ action: 'secrets.history', tenantId, path: info.path }} className="small" onClick={() => onHistory(info.path)} testId={`${testId}-history`}>
        View Rotation History
      </GatedButton>{' '}
      {onDownload && (
        <GatedButton gate={{ action: 'ssh.download', tenantId }} className="small" onClick={onDownload} testId={`${testId}-download`}>
          Download key
        </GatedButton>
      )}{' '}
      <RotateNowButton tenantId={tenantId} target={target} expectedVersion={info.currentVersion} onRotated={() => void onRotated()} />
    </div>
  );
}

function DnsRecords({ dns, onClose }: { dns: DkimDns; onClose(): void }) {
  return (
    <div className="card dns-records" data-testid="dns-records">
      <div className="view-header">
        <h4>DNS records for {dns.domain}</h4>
        <button type="button" className="small" onClick={onClose}>
          Close
        </button>
      </div>
      {dns.records.map((r) => (
        <div key={r.name} className="dns-record" data-testid="dns-record">
          <p className="muted small">{r.note}</p>
          <label>
            Name ({r.type})
            <input readOnly value={r.name} onFocus={(e) => e.currentTarget.select()} data-testid="dns-name" />
          </label>
          <DkimTxtValue name={r.name} value={r.value} />
        </div>
      ))}
    </div>
  );
}

function HistoryList({ history, onClose }: { history: RotationHistory; onClose(): void }) {
  return (
    <div className="card" data-testid="rotation-history">
      <div className="view-header">
        <h4>
          Rotation history of <code>{history.path}</code>
        </h4>
        <button type="button" className="small" onClick={onClose}>
          Close
        </button>
      </div>
      <table className="data">
        <thead>
          <tr>
            <th>Version</th>
            <th>When</th>
            <th>Who</th>
            <th>Why</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {history.versions.map((v) => (
            <tr key={v.version} data-testid="history-row">
              <td>
                v{v.version}
                {v.current ? ' (current)' : ''}
              </td>
              <td><Time value={v.createdTime || null} /></td>
              <td>{v.by ?? <span className="muted">not recorded</span>}</td>
              <td>{v.reason ?? <span className="muted">not recorded</span>}</td>
              <td>{v.destroyed ? 'destroyed' : v.deletionTime ? 'deleted' : 'kept'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
