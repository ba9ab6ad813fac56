// A KV version is created by exactly one write: two log lines claiming the same version
// of an approval record (one of them posted to VictoriaLogs' /insert by someone who wrote
// the real version themselves) approve nothing, whichever comes first.
import { describe, expect, it } from 'vitest';
import { judgeDeletes, type LedgerEvent } from '../../../../../src/main/services/audit/approval-ledger';

const RULES = { approverPolicy: 'vault-console-admin', approvalValidHours: 24 };
const T = Date.parse('2026-11-02T10:00:00Z');

function write(id: number, ts: number, user: string, version: number, recordStatus: string, policies: string[]): LedgerEvent {
  return {
    id,
    ts,
    user,
    entityId: `ent-${user}`,
    status: 'ok',
    action: 'write',
    path: 'tenants-approvals/data/requests/apr-1',
    mount: 'tenants-approvals/',
    approvalId: null,
    approvalWrite: { approvalId: 'apr-1', mount: 'tenants-approvals/', policies, version, recordStatus, recordPath: 't-000001/ssh/admin', readFromVault: true },
  };
}

const del: LedgerEvent = { id: 9, ts: T + 60_000, user: 'mallory', entityId: 'ent-mallory', status: 'ok', action: 'delete', path: 'tenants/metadata/t-000001/ssh/admin', mount: 'tenants/', approvalId: 'apr-1', approvalWrite: null };

describe('approval writes claiming the same KV version', () => {
  it('a good approval approves the delete (the baseline)', () => {
    const v = judgeDeletes([del], [write(1, T, 'rita', 1, 'pending', ['default']), write(2, T + 1000, 'bob', 2, 'approved', ['vault-console-admin'])], RULES);
    expect(v.get(9)).toMatchObject({ approved: true });
  });

  it('a second line for version 2 (a posted one naming another approver) voids the approval', () => {
    const v = judgeDeletes(
      [del],
      [write(1, T, 'mallory', 1, 'pending', ['default']), write(3, T + 500, 'bob', 2, 'approved', ['vault-console-admin']), write(2, T + 1000, 'mallory', 2, 'approved', ['vault-console-admin'])],
      RULES,
    );
    expect(v.get(9)).toMatchObject({ approved: false });
    expect((v.get(9) as { reason: string }).reason).toMatch(/version 2 .* twice/);
  });
});
