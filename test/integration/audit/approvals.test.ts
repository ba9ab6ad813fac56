// Second-admin approval for deleting a tenant secret, on the real OpenBao: request
// and approval kept in Vault (KV v2 "tenants-approvals"), the requester cannot
// approve, the delete carries the approval id in the audited header, and Vault's own
// audit log (imported back) shows the approved delete as clean and a direct one as red.
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

const APPROVALS_POLICY = `
path "tenants-approvals/data/requests/*" { capabilities = ["create", "read", "update"] }
path "tenants-approvals/metadata/requests" { capabilities = ["list"] }
`;

let s: ServicesState;
const dir = mkdtempSync(join(tmpdir(), 'vc-audit-approvals-'));
const db = openDatabase(join(dir, 'db.sqlite'));

function serviceAs(username: string, token: string): AuditService {
  const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), token);
  const info: SessionInfo = { signedIn: true, profileId: 'p', address: s.openbao.addr, method: 'userpass', displayName: `userpass-${username}`, username, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null };
  return new AuditService({ db, settings: new SettingsRepo(db), clock: systemClock, log: createLogger('test'), dataDir: dir, session: { info: () => info, requireClient: () => client }, kvMount: () => s.openbao.kvMount });
}

let alice: AuditService;
let bob: AuditService;

beforeAll(async () => {
  s = await loadTestServices();
  const root = { token: s.openbao.rootToken };
  await baoFetch(s, 'POST', 'sys/mounts/tenants-approvals', { ...root, body: { type: 'kv', options: { version: '2' } } });
  expect((await baoFetch(s, 'PUT', 'sys/policies/acl/vault-console-approvals', { ...root, body: { policy: APPROVALS_POLICY } })).status).toBe(204);
  expect((await baoFetch(s, 'POST', 'sys/config/auditing/request-headers/x-vault-console-action', { ...root, body: { hmac: false } })).status).toBe(204);
  for (const u of ['alice-admin', 'bob-admin']) {
    await baoFetch(s, 'POST', `auth/userpass/users/${u}`, { ...root, body: { password: `${u}-password-123`, token_policies: 'vault-console-admin,vault-console-approvals' } });
  }
  // A new KV v2 mount answers "upgrading" for a moment.
  for (let i = 0; i < 50 && (await baoFetch(s, 'LIST', 'tenants-approvals/metadata', root)).status >= 500; i++) await new Promise((r) => setTimeout(r, 100));
  alice = serviceAs('alice-admin', await userpassLogin(s, 'alice-admin', 'alice-admin-password-123'));
  bob = serviceAs('bob-admin', await userpassLogin(s, 'bob-admin', 'bob-admin-password-123'));
});

describe('deletion approval (four eyes)', () => {
  it('needs a second admin, deletes once with the approval id in Vault’s audit log, and flags a delete without one', async () => {
    const m = s.openbao.kvMount;
    for (const p of ['t-000901/ssh/admin', 't-000902/smtp/admin']) {
      expect((await baoFetch(s, 'POST', `${m}/data/${p}`, { body: { data: { value: 'x' } } })).status).toBe(200);
    }
    const req = await alice.approvals.request('t-000901/ssh/admin', 'tenant offboarded');
    expect(req).toMatchObject({ status: 'pending', requestedBy: 'alice-admin', tenant: 't-000901' });
    // Kept in Vault: visible to the other admin's console.
    expect((await bob.approvals.list()).map((a) => a.id)).toContain(req.id);
    await expect(alice.approvals.approve(req.id)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(alice.approvals.deleteSecret(req.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await bob.approvals.approve(req.id)).status).toBe('approved');
    // The approver cannot also run the delete.
    await expect(bob.approvals.deleteSecret(req.id)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((await alice.approvals.deleteSecret(req.id)).status).toBe('used');
    expect((await baoFetch(s, 'GET', `${m}/metadata/t-000901/ssh/admin`)).status).toBe(404);
    // The tenant is stamped (writers' rule), so every console's incremental sync drops the secret.
    const stamp = await baoFetch<{ data?: { custom_metadata?: Record<string, string> } }>(s, 'GET', `${m}-stamps/metadata/t-000901`);
    expect(stamp.status).toBe(200);
    expect(stamp.body.data?.custom_metadata?.changed_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(alice.approvals.deleteSecret(req.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    // A delete straight to Vault, no approval.
    expect((await baoFetch(s, 'DELETE', `${m}/metadata/t-000902/smtp/admin`)).status).toBe(204);

    await new Promise((r) => setTimeout(r, 300));
    const [rep] = await alice.importFiles([s.openbao.auditLogPath]);
    expect(rep!.outcome).toBe('imported');
    const deletes = alice.repo.page({ action: 'delete' }, null, 100).events.filter((e) => e.source === 'vault');
    const approved = deletes.find((e) => e.path.endsWith('t-000901/ssh/admin'))!;
    expect(approved.approvalId).toBe(req.id);
    const alerts = (await alice.alerts({})).alerts.filter((a) => a.kind === 'delete-without-approval');
    expect(alerts.some((a) => a.detail.includes('t-000902/smtp/admin'))).toBe(true);
    expect(alerts.some((a) => a.detail.includes('t-000901/ssh/admin'))).toBe(false);
    // The console's own records of request, approval and delete are there too.
    const mine = alice.repo.page({ text: 't-000901' }, null, 100).events.filter((e) => e.source === 'console').map((e) => e.action);
    expect(mine).toEqual(expect.arrayContaining(['request-approval', 'approve', 'delete']));
  });
});
