// Attack (issue 12, item 2): any successful request carrying "action=approve;approval=<id>"
// (the auditor's lookup-self) counted as a second admin's approval, and a later delete
// naming <id> raised no alert. An approval now exists only in Vault's record of the
// `<mount>-approvals` writes: requested by one identity, approved later by another that
// holds the approving policy, for that path, before the delete, not expired, used once.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, sections C, G, H.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditAlertView } from '../../../../../../src/shared/contracts/audit';
import { join } from 'node:path';
import { importAuditFile } from '../../../../../../src/main/services/audit/audit-importer';
import { APPROVAL, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
let alerts: AuditAlertView[];
const deleteAlert = (secret: string) => alerts.find((a) => a.kind === 'delete-without-approval' && a.detail.includes(`/${secret} was deleted`));

beforeAll(async () => {
  l = await loadAdversary();
  alerts = (await l.audit.alerts({})).alerts;
});

describe('a deletion approval is Vault’s record, never a header', () => {
  it('a harmless request labelled "approve" approves nothing: the delete naming it is red', () => {
    const lookup = [...l.audit.repo.chunks({ text: 'lookup-self' })].flat().find((e) => e.consoleHeader?.includes('apr-00000000000000c1'))!;
    expect(lookup).toMatchObject({ action: 'other', user: 'auditor', headerConflict: true });
    expect(deleteAlert('t-000301/ssh/admin')!.detail).toMatch(/approval apr-00000000000000c1 its header names is not in Vault's record of tenants-approvals\//);
  });

  it('requested by alice, approved by bob (holding the approving policy), deleted by alice: no alert', () => {
    expect(deleteAlert('t-000501/ssh/admin')).toBeUndefined();
  });

  it('a good approval covers its delete even when the delete carries no header', () => {
    expect(deleteAlert('t-000511/ssh/admin')).toBeUndefined();
  });

  it.each([
    ['t-000502/ssh/admin', `approval ${APPROVAL.G2} does not cover it: alice-admin approved their own request`],
    ['t-000503/ssh/admin', `approval ${APPROVAL.G3} does not cover it: its approver carl-writer does not hold the approving policy vault-console-admin`],
    ['t-000505/ssh/admin', `approval ${APPROVAL.G4} does not cover it: it is for t-000504/ssh/admin, not t-000505/ssh/admin`],
    ['t-000507/ssh/admin', `approval ${APPROVAL.G6} does not cover it: bob-admin approved it and cannot also run the delete`],
    ['t-000509/ssh/admin', `approval ${APPROVAL.G8} does not cover it: Vault's log shows no request for it`],
    ['t-000510/ssh/admin', `approval ${APPROVAL.G9} does not cover it: its approver root has no Vault identity`],
    ['t-000512/ssh/admin', `approval ${APPROVAL.G11} does not cover it: it was approved only at`],
    ['t-000601/ssh/admin', `approval ${APPROVAL.H1} does not cover it: its record is HMAC'd in Vault's log and was not read back from Vault`],
    // Approved as "t-000513/ssh/admin/../../t-000514/ssh/admin": the approver saw t-000513 first.
    ['t-000514/ssh/admin', `approval ${APPROVAL.I15} does not cover it: its request names no secret path in its one spelling`],
  ])('%s: red, because %s', (secret, reason) => {
    const a = deleteAlert(secret);
    expect(a?.severity).toBe('red');
    expect(a!.detail).toContain(reason);
  });

  it('one approval, two deletes of the same secret: the second is red', () => {
    const both = alerts.filter((a) => a.kind === 'delete-without-approval' && a.detail.includes('/t-000506/ssh/admin was deleted'));
    expect(both).toHaveLength(1);
    expect(both[0]!.detail).toContain(`approval ${APPROVAL.G5} does not cover it: it was used by an earlier delete at`);
  });

  it('an approval used more than the approval window after it was granted has expired (the delete moved 25 h later)', async () => {
    const later = (line: string) =>
      line.includes('"path":"tenants/metadata/t-000508/ssh/admin"')
        ? line.replace(/"time":"([^"]+)"/, (_, t: string) => `"time":"${new Date(Date.parse(t) + 25 * 3_600_000).toISOString()}"`)
        : line;
    const l2 = await loadAdversary({ edit: (lines) => lines.map(later) });
    const a = (await l2.audit.alerts({ from: '2000-01-01' })).alerts.find((x) => x.kind === 'delete-without-approval' && x.detail.includes('/t-000508/ssh/admin was deleted'));
    expect(a!.detail).toContain(`approval ${APPROVAL.G7} does not cover it: it expired 24 h after its approval`);
    // Within the window (the capture as it is) the same approval covers it.
    expect(deleteAlert('t-000508/ssh/admin')).toBeUndefined();
  });

  it('the approving policy is a setting: with another one, bob no longer counts and carl does', async () => {
    const l2 = await loadAdversary({ settings: { approverPolicy: 'approvals-writer' } });
    const r = (await l2.audit.alerts({})).alerts;
    const has = (secret: string) => r.some((a) => a.kind === 'delete-without-approval' && a.detail.includes(`/${secret} was deleted`));
    expect(has('t-000503/ssh/admin')).toBe(false);
    expect(has('t-000501/ssh/admin')).toBe(true);
  });

  it("the console's own records of a delete never count as Vault's (no second use, no alert of their own)", async () => {
    const l2 = await loadAdversary();
    l2.audit.recorder.record({ action: 'delete', path: 't-000501/ssh/admin', status: 'ok', approvalId: APPROVAL.G1 });
    const r = (await l2.audit.alerts({})).alerts;
    expect(r.filter((a) => a.kind === 'delete-without-approval' && a.detail.includes('/t-000501/ssh/admin was deleted')).map((a) => a.detail)).toEqual([]);
  });

  it.each(['ndjson', 'csv', 'json'] as const)('a %s export carries the approval evidence: imported elsewhere, the same deletes are red', async (format) => {
    const out = await l.audit.exportTo({}, format, join(l.dir, `all.${format}`));
    const other = await loadAdversary({ edit: () => [] });
    const r = await importAuditFile(other.audit.repo, out.path);
    expect(r.outcome).toBe('imported');
    const judged = (list: AuditAlertView[]) => list.filter((a) => a.kind === 'delete-without-approval').map((a) => a.detail).sort();
    expect(judged((await other.audit.alerts({})).alerts)).toEqual(judged(alerts));
  });
});
