// Where the approvals mount logs its records HMAC'd (an operator who did not set
// audit_non_hmac_request_keys on it), Vault's log still proves who wrote which KV
// version of an approval record, and Vault itself holds each version: signed in, the
// console reads back exactly the versions the logged writes created and judges the
// delete from them. Signed out (the CLI offline), it cannot, and the delete stays red.
// Real OpenBao: the test server's own audit log, mounts "legacy" and "legacy-approvals".
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../../src/main/services/audit/audit-service';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createLogger } from '../../../src/main/services/log/logger';
import type { SessionInfo } from '../../../src/main/services/session/session-types';
import { openDatabase } from '../../../src/main/services/storage/database';
import { SettingsRepo } from '../../../src/main/services/storage/settings-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';

const POLICY = `
path "legacy/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "legacy-approvals/data/requests/*" { capabilities = ["create", "read", "update"] }
path "legacy-approvals/metadata/requests" { capabilities = ["list"] }
path "legacy-stamps/*" { capabilities = ["create", "read", "update"] }
`;

let s: ServicesState;
const dir = mkdtempSync(join(tmpdir(), 'vc-audit-approvals-vault-'));

function serviceAs(username: string | null, token: string | null, dbName: string): AuditService {
  const db = openDatabase(join(dir, dbName));
  const client = token ? createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), token) : null;
  const info: SessionInfo = { signedIn: !!token, profileId: 'p', address: s.openbao.addr, method: token ? 'userpass' : null, displayName: username ? `userpass-${username}` : '', username, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null };
  return new AuditService({
    db,
    settings: new SettingsRepo(db),
    clock: systemClock,
    log: createLogger('test'),
    dataDir: dir,
    session: {
      info: () => info,
      requireClient: () => {
        if (!client) throw new Error('signed out');
        return client;
      },
    },
    kvMount: () => 'legacy',
  });
}

let alice: AuditService;
let bob: AuditService;
let aliceToken: string;

beforeAll(async () => {
  s = await loadTestServices();
  const root = { token: s.openbao.rootToken };
  for (const m of ['legacy', 'legacy-approvals', 'legacy-stamps']) await baoFetch(s, 'POST', `sys/mounts/${m}`, { ...root, body: { type: 'kv', options: { version: '2' } } });
  expect((await baoFetch(s, 'PUT', 'sys/policies/acl/vault-console-legacy', { ...root, body: { policy: POLICY } })).status).toBe(204);
  for (const u of ['legacy-alice', 'legacy-bob']) {
    await baoFetch(s, 'POST', `auth/userpass/users/${u}`, { ...root, body: { password: `${u}-password-123`, token_policies: 'vault-console-admin,vault-console-legacy' } });
  }
  for (let i = 0; i < 50 && (await baoFetch(s, 'LIST', 'legacy-approvals/metadata', root)).status >= 500; i++) await new Promise((r) => setTimeout(r, 100));
  aliceToken = await userpassLogin(s, 'legacy-alice', 'legacy-alice-password-123');
  alice = serviceAs('legacy-alice', aliceToken, 'alice.db');
  bob = serviceAs('legacy-bob', await userpassLogin(s, 'legacy-bob', 'legacy-bob-password-123'), 'bob.db');
});

describe('approval records read back from Vault when its log holds them HMAC’d', () => {
  it('signed out the delete is red; signed in, the versions the log names are read and it is approved', async () => {
    expect((await baoFetch(s, 'POST', 'legacy/data/t-000931/ssh/admin', { body: { data: { value: 'x' } } })).status).toBe(200);
    const req = await alice.approvals.request('t-000931/ssh/admin', 'tenant offboarded');
    await bob.approvals.approve(req.id);
    await alice.approvals.deleteSecret(req.id);
    await new Promise((r) => setTimeout(r, 300));

    const offline = serviceAs(null, null, 'offline.db');
    expect((await offline.importFiles([s.openbao.auditLogPath]))[0]!.outcome).toBe('imported');
    const writes = offline.repo.approvalWrites(Date.now() + 60_000, 1000).filter((e) => e.approvalWrite?.approvalId === req.id);
    // Vault logged three writes (request, approval, used), their content HMAC'd, their versions in clear.
    expect(writes.map((e) => [e.approvalWrite!.version, e.approvalWrite!.recordStatus])).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);
    const red = (await offline.alerts({})).alerts.find((a) => a.kind === 'delete-without-approval' && a.detail.startsWith('legacy/metadata/t-000931/ssh/admin'))!;
    expect(red.detail).toMatch(/HMAC'd in Vault's log and was not read back from Vault/);

    const online = serviceAs('legacy-alice', aliceToken, 'online.db');
    await online.importFiles([s.openbao.auditLogPath]);
    const r = await online.alerts({});
    expect(r.alerts.some((a) => a.kind === 'delete-without-approval' && a.detail.startsWith('legacy/metadata/t-000931/ssh/admin'))).toBe(false);
    const read = online.repo.approvalWrites(Date.now() + 60_000, 1000).filter((e) => e.approvalWrite?.approvalId === req.id);
    expect(read.map((e) => [e.approvalWrite!.recordStatus, e.approvalWrite!.readFromVault])).toEqual([
      ['pending', true],
      ['approved', true],
      ['used', true],
    ]);
  });

  it('what a record says about who approved it counts for nothing: one admin writing "approved by bob" is red even read from Vault', async () => {
    expect((await baoFetch(s, 'POST', 'legacy/data/t-000932/ssh/admin', { body: { data: { value: 'x' } } })).status).toBe(200);
    const id = 'apr-0000000000000932';
    const forged = { path: 't-000932/ssh/admin', reason: 'x', requested_by: 'legacy-bob', requested_at: new Date().toISOString(), status: 'approved', approved_by: 'legacy-bob', approved_at: new Date().toISOString() };
    expect((await baoFetch(s, 'POST', `legacy-approvals/data/requests/${id}`, { token: aliceToken, body: { data: { ...forged, status: 'pending' }, options: { cas: 0 } } })).status).toBe(200);
    expect((await baoFetch(s, 'POST', `legacy-approvals/data/requests/${id}`, { token: aliceToken, body: { data: forged, options: { cas: 1 } } })).status).toBe(200);
    expect((await baoFetch(s, 'DELETE', 'legacy/metadata/t-000932/ssh/admin', { token: aliceToken })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 300));
    const online = serviceAs('legacy-alice', aliceToken, 'online2.db');
    await online.importFiles([s.openbao.auditLogPath]);
    const a = (await online.alerts({})).alerts.find((x) => x.kind === 'delete-without-approval' && x.detail.startsWith('legacy/metadata/t-000932/ssh/admin'))!;
    expect(a.detail).toMatch(/legacy-alice approved their own request/);
  });
});
