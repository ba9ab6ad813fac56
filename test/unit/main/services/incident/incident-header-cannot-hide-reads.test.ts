// Attack: a compromised token reads secrets while sending the console's audited header
// with a harmless action (rotate, approve, close) or an incident id of its own, hoping the
// blast radius leaves those reads out or files them under another incident. Vault's record
// decides (issue 12): each is a read of that secret by that identity, listed and rotated;
// the header is only kept beside it. The case of a login name hides nothing either.
import { describe, expect, it } from 'vitest';
import { parseVaultAuditText } from '../../../../../src/main/services/audit/audit-parser';
import { IncidentService } from '../../../../../src/main/services/incident/incident-service';
import { createLogger } from '../../../../../src/main/services/log/logger';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { ManualClock } from '../../../../../src/main/services/time/clock';

const T0 = Date.UTC(2026, 5, 1);

/** One read as Vault's file device logs it (request and response), with the header the client sent. */
function readLines(n: number, path: string, header: string | null, username = 'mallory'): string[] {
  const auth = { display_name: `userpass-${username}`, metadata: { username }, entity_id: 'ent-mallory', accessor: 'hmac-sha256:acc' };
  const req = {
    id: `req-${n}`,
    operation: 'read',
    path: `tenants/data/${path}`,
    mount_point: 'tenants/',
    mount_type: 'kv',
    remote_address: '203.0.113.7',
    ...(header ? { headers: { 'x-vault-console-action': [header] } } : {}),
  };
  const at = (ms: number) => new Date(T0 + n * 1000 + ms).toISOString().replace('Z', '123Z');
  return [JSON.stringify({ time: at(0), type: 'request', auth, request: req }), JSON.stringify({ time: at(5), type: 'response', auth, request: req, response: { data: { data: 'hmac-sha256:x' } } })];
}

function service(repo: AuditRepo): IncidentService {
  const unused = () => {
    throw new Error('not used by the listing');
  };
  return new IncidentService({
    access: repo.access,
    rotation: { previewPaths: unused, start: unused, jobs: unused, jobDetail: unused, report: unused, rotateOne: unused, apiKeys: {} as never },
    mount: () => 'tenants',
    clock: new ManualClock(T0 + 10_000_000),
    log: createLogger('test'),
  });
}

describe('a console header cannot take reads out of the blast radius', () => {
  const repo = new AuditRepo(openDatabase(':memory:'));
  const lines = [
    ...readLines(1, 't-000001/ssh/admin', 'action=rotate;req=vc-1'),
    ...readLines(2, 't-000002/smtp/admin', 'action=approve;approval=apr-0123456789abcdef'),
    ...readLines(3, 't-000003/dkim/mail.example.org', 'action=close'),
    ...readLines(4, 't-000004/ssh/tenant', 'action=emergency-reset;req=vc-4;incident=INC-1'),
    ...readLines(5, 't-000005/smtp/admin', null, 'MALLORY'),
  ];
  repo.insertMany(parseVaultAuditText(lines.join('\n')).records);

  it('lists every read by the user whatever the header said, each as a read', async () => {
    const r = await service(repo).blastRadius({ identity: { kind: 'user', value: 'Mallory' }, since: new Date(T0).toISOString() });
    expect(r.secrets.map((s) => [s.path, s.reads, s.reveals])).toEqual([
      ['t-000001/ssh/admin', 1, 0],
      ['t-000002/smtp/admin', 1, 0],
      ['t-000003/dkim/mail.example.org', 1, 0],
      ['t-000004/ssh/tenant', 1, 0],
      ['t-000005/smtp/admin', 1, 0],
    ]);
  });

  it('finds the same reads by entity and by the accessor as logged', async () => {
    const s = service(repo);
    const since = new Date(T0).toISOString();
    expect((await s.blastRadius({ identity: { kind: 'entity', value: 'ent-mallory' }, since })).secrets).toHaveLength(5);
    expect((await s.blastRadius({ identity: { kind: 'accessor', value: 'hmac-sha256:acc' }, since })).secrets).toHaveLength(5);
  });

  it('keeps the header, with its incident, as an annotation beside the read', () => {
    const rows = repo.access.annotatedEvents({ from: T0, to: T0 + 10_000_000 }, ['read'], 100);
    expect(rows.map((e) => [e.action, e.consoleAction, e.incidentId])).toEqual([
      ['read', 'rotate', null],
      ['read', 'approve', null],
      ['read', 'close', null],
      ['read', 'emergency-reset', 'INC-1'],
    ]);
  });
});
