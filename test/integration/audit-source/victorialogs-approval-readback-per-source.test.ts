// The approval read-back (the KV version each approval write created, read from Vault while
// signed in) runs per audit source. A profile switched to while another source's read-back
// is still on its way gets its own: it used to be handed the first source's, so its approval
// writes stayed unread and its approved deletes showed red. Real OpenBao (the approvals KV
// mount, written by root) and a real VictoriaLogs behind a proxy that holds one source's queries.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditAlerts } from '../../../src/main/services/audit/audit-alerts';
import { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createLogger } from '../../../src/main/services/log/logger';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../src/main/services/storage/database';
import { systemClock } from '../../../src/main/services/time/clock';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { startFaultProxy, type FaultProxy } from '../../services/victorialogs/fault-proxy';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { eventLine, postLines, vlClient } from './both-sources';

let s: ServicesState;
let vl: VictoriaLogsInstance;
let proxy: FaultProxy;
const MOUNT = 'tenants-approvals';
const T0 = Date.now() - 600_000;
const ids = { a: `apr-a-${randomBytes(3).toString('hex')}`, b: `apr-b-${randomBytes(3).toString('hex')}` };

function approvalLine(cluster: string, approvalId: string, ts: number) {
  const path = `${MOUNT}/data/requests/${approvalId}`;
  // As the forwarder writes Vault's record: the record's content HMAC'd, the version it created known.
  const approvalWrite = JSON.stringify({ approvalId, mount: `${MOUNT}/`, policies: ['vault-console-admin'], version: 1, recordStatus: null, recordPath: null });
  return eventLine(`v:${cluster}:${approvalId}`, ts, { vault_cluster: cluster, _msg: path, path, mount: `${MOUNT}/`, action: 'write', user: 'bob', entity_id: 'ent-bob', tenant: undefined, secret_type: undefined, approval_write: approvalWrite });
}

beforeAll(async () => {
  s = await loadTestServices();
  for (const id of [ids.a, ids.b]) {
    const r = await baoFetch(s, 'POST', `${MOUNT}/data/requests/${id}`, { body: { data: { status: 'approved', path: 't-000001/ssh/admin' } } });
    expect(r.status).toBe(200);
  }
  vl = await startVictoriaLogs();
  await postLines(vl, [approvalLine('cluster-a', ids.a, T0), approvalLine('cluster-b', ids.b, T0 + 1000)]);
  await vl.flush();
  proxy = await startFaultProxy(vl.url);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await vl?.stop();
});

it("a source switched to while another's read-back is held reads its own approval writes back from Vault", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  // Source A's queries wait at the proxy until released; B's go straight to VictoriaLogs.
  proxy.mode = { kind: 'hold', match: (body) => body.includes('cluster-a'), until: held };
  const a = new VictoriaLogsAuditSource({ client: vlClient(proxy.url), stream: { vault_cluster: 'cluster-a' } });
  const b = new VictoriaLogsAuditSource({ client: vlClient(vl.url), stream: { vault_cluster: 'cluster-b' } });
  const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
  const alerts = new AuditAlerts({
    repo: new AuditRepo(openDatabase(':memory:')),
    session: { info: () => ({ signedIn: true }) as never, requireClient: () => root },
    clock: systemClock,
    log: createLogger('test'),
  });
  try {
    const first = alerts.resolveApprovalRecords(a);
    const second = alerts.resolveApprovalRecords(b);
    const outcome = await Promise.race([second.then(() => 'done'), new Promise((r) => setTimeout(() => r('still waiting on the other source'), 5_000))]);
    expect(outcome).toBe('done');
    const [w] = await b.approvalWrites(Date.now(), 10);
    expect(w!.approvalWrite).toMatchObject({ approvalId: ids.b, recordStatus: 'approved', recordPath: 't-000001/ssh/admin', readFromVault: true });
    release();
    await first;
    const [wa] = await a.approvalWrites(Date.now(), 10);
    expect(wa!.approvalWrite).toMatchObject({ approvalId: ids.a, recordStatus: 'approved', readFromVault: true });
  } finally {
    release();
    proxy.mode = { kind: 'pass' };
    a.close();
    b.close();
  }
});
