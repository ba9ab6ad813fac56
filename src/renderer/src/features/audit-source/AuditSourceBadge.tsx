// Says which audit source the Audit view shows (the local store or VictoriaLogs) and how
// it last answered: a source that is down, slow, refusing the credentials or cutting its
// answers short is named here, beside events that are then not shown as whole.
import { useEffect, useState } from 'react';
import type { AuditSourceStatus } from '../../../../shared/contract';
import { call, errorMessage } from '../../lib/ipc-client';

export const STATE_TEXT: Record<AuditSourceStatus['state'], string> = {
  ok: 'answering',
  unreachable: 'not reachable',
  timeout: 'too slow (timed out)',
  unauthorized: 'refused the credentials',
  partial: 'cut an answer short',
  failed: 'failed',
  'bad-query': 'rejected a query',
};

export function AuditSourceBadge({ refreshMs }: { refreshMs: number }) {
  const [status, setStatus] = useState<AuditSourceStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const load = () =>
      call('audit:source-status', undefined)
        .then((s) => !stopped && (setStatus(s), setError(null)))
        .catch((e: unknown) => !stopped && setError(errorMessage(e)));
    void load();
    const t = setInterval(() => void load(), refreshMs);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [refreshMs]);
  if (error) return <p className="error small" data-testid="audit-source-error">{error}</p>;
  if (!status) return null;
  const bad = status.state !== 'ok';
  return (
    <p className={bad ? 'error small' : 'muted small'} role={bad ? 'alert' : undefined} data-testid="audit-source" data-state={status.state}>
      Source: <strong data-testid="audit-source-label">{status.label}</strong>
      {status.kind === 'victorialogs' && ` · ${STATE_TEXT[status.state]}`}
      {bad && status.message ? ` · ${status.message}` : ''}
    </p>
  );
}
