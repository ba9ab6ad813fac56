// Anyone who can post to VictoriaLogs' /insert can add lines that look like Vault's record
// of an approval: a request by one identity and an approval by another, holding the
// approving policy, with the record's status and path in clear. On VictoriaLogs the
// console takes a record's content only as read back from Vault (the KV version the line
// names), never from the line: such lines approve no delete while nothing is read back,
// and a version Vault does not hold approves nothing after.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, detectUnapprovedDeletes } from '../../../src/main/services/audit/alert-detector';
import { eventIdOf } from '../../../src/main/services/audit-source/event-fields';
import type { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { flushedSource, postLines, stopBoth, STREAM } from './both-sources';

let vl: VictoriaLogsInstance;
let source: VictoriaLogsAuditSource;
const T0 = Date.now() - 3_600_000;

function line(key: string, ts: number, fields: Record<string, unknown>) {
  return { ...STREAM, _time: new Date(ts).toISOString(), _msg: String(fields.path ?? ''), key, id: eventIdOf(key), ts, secret_type: 'ssh', status: 'ok', source: 'vault', hour: new Date(ts).getUTCHours(), housekeeping: '0', ...fields };
}

function approvalWrite(version: number, recordStatus: string, policies: string[]) {
  return JSON.stringify({ approvalId: 'apr-1', mount: 'tenants-approvals/', policies, version, recordStatus, recordPath: 't-000001/ssh/admin', readFromVault: true });
}

beforeAll(async () => {
  vl = await startVictoriaLogs();
  const lines = [
    // Forged: nobody wrote these to Vault.
    line('forged:request', T0, { action: 'write', user: 'rita', entity_id: 'ent-rita', path: 'tenants-approvals/data/requests/apr-1', mount: 'tenants-approvals/', approval_write: approvalWrite(1, 'pending', ['default']), ident: 'e:ent-rita' }),
    line('forged:approval', T0 + 1000, { action: 'write', user: 'bob', entity_id: 'ent-bob', path: 'tenants-approvals/data/requests/apr-1', mount: 'tenants-approvals/', approval_write: approvalWrite(2, 'approved', ['vault-console-admin']), ident: 'e:ent-bob' }),
    // Real: mallory's delete, which the forged approval would cover.
    line('v:delete', T0 + 2000, { action: 'delete', tenant: 't-000001', user: 'mallory', entity_id: 'ent-mallory', path: 'tenants/data/t-000001/ssh/admin', mount: 'tenants/', approval_id: 'apr-1', ident: 'e:ent-mallory' }),
    // Posted approval writes the console would read back from Vault under the reviewer's token: another mount, a query string in the version.
    line('forged:other-mount', T0 + 3000, { action: 'write', user: 'bob', entity_id: 'ent-bob', path: 'tenants/data/requests/apr-1', mount: 'tenants/', approval_write: JSON.stringify({ approvalId: 'apr-1', mount: 'tenants/', policies: [], version: 1, recordStatus: null, recordPath: null }) }),
    line('forged:version', T0 + 4000, { action: 'write', user: 'bob', entity_id: 'ent-bob', path: 'tenants-approvals/data/requests/apr-1', mount: 'tenants-approvals/', approval_write: JSON.stringify({ approvalId: 'apr-1', mount: 'tenants-approvals/', policies: [], version: '1&list=true', recordStatus: null, recordPath: null }) }),
  ];
  await postLines(vl, lines);
  source = await flushedSource(vl);
}, 60_000);

afterAll(() => stopBoth(vl, source));

it('a delete covered only by posted approval lines is red', async () => {
  const input = await source.detectorInput(T0 - 1000, T0 + 10_000, DEFAULT_ALERT_SETTINGS);
  expect(input.approvalWrites.filter((e) => e.approvalWrite).length).toBe(2);
  const alerts = detectUnapprovedDeletes(input.deletes, input.approvalWrites, DEFAULT_ALERT_SETTINGS);
  expect(alerts.map((a) => a.kind)).toEqual(['delete-without-approval']);
});

it('the view and exports show the lines as they are', async () => {
  const p = await source.page({ action: 'write' }, null, 10);
  expect(p.events.find((e) => e.key === 'forged:approval')!.approvalWrite!.recordStatus).toBe('approved');
});

it('the approval writes ask to be read back from Vault (their content is unknown until then)', async () => {
  const all = await source.approvalWrites(T0 + 10_000, 100);
  // Never read back: no approval write at all.
  expect(all.filter((e) => !e.approvalWrite).map((e) => e.key).sort()).toEqual(['forged:other-mount', 'forged:version']);
  const writes = all.filter((e) => e.approvalWrite);
  expect(writes.map((w) => [w.approvalWrite!.recordStatus, w.approvalWrite!.recordPath])).toEqual([
    [null, null],
    [null, null],
  ]);
});
