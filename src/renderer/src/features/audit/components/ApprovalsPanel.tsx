// Deleting a tenant secret takes two admins: one requests (with a reason), another
// approves, then the delete runs under that approval (its id travels in Vault's
// audit log). Requests live in Vault, so every admin's console sees the same list.
import { useEffect, useState, type FormEvent } from 'react';
import { GatedButton } from '../../../components/GatedButton';
import { useSessionStore } from '../../session/store';
import { useApprovalsStore } from '../store';
import { Time } from '../../../lib/Time';

const STATUS_LABEL: Record<string, string> = { pending: 'Waiting for a second admin', approved: 'Approved', used: 'Deleted' };

export function ApprovalsPanel() {
  const s = useApprovalsStore();
  const { load } = s;
  const session = useSessionStore((x) => x.info);
  const me = session?.username ?? null;
  const signedIn = session?.signedIn ?? false;
  const [path, setPath] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => {
    if (signedIn) void load();
  }, [signedIn, me, load]);

  if (!signedIn) {
    return (
      <section className="card" data-testid="audit-approvals">
        <p className="muted">Sign in to request or approve deletions: requests and approvals are kept in Vault.</p>
      </section>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = path.trim();
    const r = reason.trim();
    if (!/^t-\d{6,}\/.+/.test(p)) {
      useApprovalsStore.setState({ error: 'Name a tenant secret, e.g. t-000042/dkim/mail.example.org.', notice: null });
      return;
    }
    if (r.length < 3) {
      useApprovalsStore.setState({ error: 'Give a reason (at least 3 characters): the approver and the audit trail see it.', notice: null });
      return;
    }
    if (await s.request(p, r)) {
      setPath('');
      setReason('');
    }
  };

  return (
    <section className="card" data-testid="audit-approvals">
      <h2>Deletion approvals</h2>
      <p className="muted small">Deleting a tenant secret removes every version. A second admin must approve each request; a delete without one raises a red alert.</p>
      <form className="approval-form" onSubmit={(e) => void submit(e)} data-testid="approval-request-form">
        <label>
          Secret path <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="t-000042/dkim/mail.example.org" data-testid="approval-path" />
        </label>
        <label>
          Reason <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder="Tenant offboarded (ticket 1234)" data-testid="approval-reason" />
        </label>
        <GatedButton type="submit" gate={{ action: 'approvals.request' }} inactive={s.busy !== null} testId="approval-request-submit">
          Request deletion
        </GatedButton>
      </form>
      {s.error && (
        <p className="error" role="alert" data-testid="approval-error">
          {s.error}
        </p>
      )}
      {s.notice && (
        <p className="muted" data-testid="approval-notice">
          {s.notice}
        </p>
      )}
      <table className="data" data-testid="approval-table">
        <thead>
          <tr>
            <th>Requested</th>
            <th>Secret</th>
            <th>Reason</th>
            <th>By</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {s.approvals.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {s.loaded ? 'No deletion requests.' : 'Loading…'}
              </td>
            </tr>
          )}
          {s.approvals.map((a) => {
            const mine = me !== null && a.requestedBy === me;
            const approvedByMe = me !== null && a.approvedBy === me;
            return (
              <tr key={a.id} data-testid="approval-row" data-approval-id={a.id} data-status={a.status}>
                <td>
                  <Time value={a.requestedAt} />
                </td>
                <td>
                  <code>{a.path}</code>
                </td>
                <td>{a.reason}</td>
                <td>{a.requestedBy}</td>
                <td data-testid="approval-status">
                  {STATUS_LABEL[a.status] ?? a.status}
                  {a.approvedBy ? ` (by ${a.approvedBy})` : ''}
                </td>
                <td>
                  {a.status === 'pending' && (
                    <GatedButton
                      gate={{ action: 'approvals.approve', id: a.id }}
                      blocked={mine ? 'You requested this deletion: a second admin must approve it.' : null}
                      inactive={s.busy !== null}
                      onClick={() => void s.approve(a.id)}
                      testId="approval-approve"
                    >
                      Approve
                    </GatedButton>
                  )}
                  {a.status === 'approved' && confirming !== a.id && (
                    <GatedButton
                      gate={{ action: 'approvals.delete', id: a.id, path: a.path }}
                      blocked={approvedByMe ? 'You approved this deletion: the requester (or another admin) runs it.' : null}
                      className="danger"
                      inactive={s.busy !== null}
                      onClick={() => setConfirming(a.id)}
                      testId="approval-delete"
                    >
                      Delete secret…
                    </GatedButton>
                  )}
                  {a.status === 'approved' && confirming === a.id && (
                    <>
                      <GatedButton
                        gate={{ action: 'approvals.delete', id: a.id, path: a.path }}
                        className="danger"
                        inactive={s.busy !== null}
                        onClick={() => {
                          setConfirming(null);
                          void s.deleteSecret(a.id);
                        }}
                        testId="approval-delete-confirm"
                      >
                        Delete {a.path} and all its versions
                      </GatedButton>{' '}
                      <button type="button" onClick={() => setConfirming(null)} data-testid="approval-delete-cancel">
                        Cancel
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
