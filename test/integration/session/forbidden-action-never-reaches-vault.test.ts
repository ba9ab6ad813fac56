// Security regression (issue 17, item 2): an action the identity's policies forbid is
// refused by main before it starts — a renderer that ignores the disabled button (or a
// stale one) gets PERMISSION_DENIED naming the path and capability, and Vault's own audit
// log shows that nothing but sys/capabilities-self was asked: no read of a secret, no
// write, no seal, no re-auth login, no half-done work that "fails later".
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../src/main/handlers';
import { dispatch } from '../../../src/main/handlers/dispatch';
import { GUARDS } from '../../../src/main/handlers/guards';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, type Services } from '../../../src/main/services/container';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { setLogSink } from '../../../src/main/services/log/logger';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import type { ChannelName } from '../../../src/shared/contract';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';

const TENANT = 't-931001';
let s: ServicesState;
let auditor: { username: string; password: string };
const built: Array<{ services: Services; dir: string }> = [];

function build() {
  const dir = mkdtempSync(join(tmpdir(), 'vc-guard-'));
  const services = createServices({
    connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount }),
    shell: 'harness',
    appVersion: 'test',
    platform: 'linux',
    dataDir: dir,
    secretStore: new MemorySecretStore(),
    openExternal: async () => undefined,
    events: { emit: () => undefined },
    savePath: { pick: async () => join(dir, 'key') },
  });
  built.push({ services, dir });
  return { services, handlers: createHandlers(services) };
}

interface AuditLine {
  type: string;
  auth?: { display_name?: string };
  request?: { path?: string; operation?: string };
}

function auditLinesFrom(offset: number): AuditLine[] {
  // A byte offset (statSync), so slice the bytes: earlier lines may hold multi-byte characters.
  const text = readFileSync(s.openbao.auditLogPath).subarray(offset).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine);
}

let approvalId: string;

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink(() => undefined);
  const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  await seedTenants({ client: root, mount: s.openbao.kvMount, count: 1, startIndex: 931001, dkimPoolSize: 1, logger: quiet });
  root.close();
  // An auditor of its own, so the audit log lines are only this test's.
  auditor = { username: `guard-auditor-${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('base64url') };
  await baoFetch(s, 'POST', `auth/userpass/users/${auditor.username}`, { body: { password: auditor.password, token_policies: 'vault-console-auditor', token_ttl: '1h' } });
  // A pending deletion request by the admin, for approve and delete.
  const admin = build();
  await admin.services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
  const req = await dispatch(admin.handlers, 'audit:request-delete', { path: `${TENANT}/smtp/admin`, reason: 'guard test' });
  if (!req.ok) throw new Error(req.error.message);
  approvalId = (req.value as { id: string }).id;
}, 120_000);

afterAll(async () => {
  for (const b of built.splice(0)) {
    await b.services.session.logout().catch(() => undefined);
    await b.services.dispose();
    rmSync(b.dir, { recursive: true, force: true });
  }
  await baoFetch(s, 'DELETE', `auth/userpass/users/${auditor.username}`);
});

describe('as an auditor, every forbidden action is refused before its first Vault call', () => {
  it('PERMISSION_DENIED names the path and capability; Vault saw no request to any path of the actions', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(auditor.username, auditor.password);
    const domain = (await baoFetch<{ data: { keys: string[] } }>(s, 'LIST', `tenants/metadata/${TENANT}/dkim`)).body.data.keys[0]!;
    const apiKey = (await baoFetch<{ data: { keys: string[] } }>(s, 'LIST', `tenants/metadata/${TENANT}/api`)).body.data.keys[0]!;
    const cases: Array<[ChannelName, unknown, RegExp]> = [
      ['vault:seal', { confirm: 'anything' }, /^Seal Vault: Needs update and sudo on sys\/seal; /],
      ['tenants:download-ssh-key', { tenantId: TENANT }, new RegExp(`Needs read on tenants/data/${TENANT}/ssh/tenant; `)],
      ['tenants:dkim-dns', { tenantId: TENANT, domain }, new RegExp(`Needs read on tenants/data/${TENANT}/dkim/${domain.replaceAll('.', '\\.')}; `)],
      ['tenants:revoke-api-key', { tenantId: TENANT, keyId: apiKey, confirm: apiKey }, new RegExp(`Needs patch on tenants/metadata/${TENANT}/api/${apiKey}; `)],
      ['reveal:verify', { tenantId: TENANT, password: auditor.password, code: '123456' }, new RegExp(`Needs read on tenants/data/${TENANT}/smtp/admin; `)],
      ['rotation:rotate', { tenantId: TENANT, target: 'ssh-admin', reason: 'guard test' }, new RegExp(`^Rotate Now: Needs read and update on tenants/data/${TENANT}/ssh/admin; `)],
      ['rotation:emergency-reset', { tenantId: TENANT, target: 'smtp', incidentId: 'INC-1' }, new RegExp(`Needs read and update on tenants/data/${TENANT}/smtp/admin; `)],
      ['incident:rotate-api-key', { incidentId: 'INC-1', path: `${TENANT}/api/${apiKey}`, reason: 'guard test' }, new RegExp(`^Rotate Now: Needs read and update on tenants/data/${TENANT}/api/${apiKey}; `)],
      [
        'rotation:set-schedules',
        { schedules: { days: { ssh: 90, smtp: 90, dkim: 180, api: 365 }, graceHours: { ssh: 24, dkim: 48 } }, expectedVersion: 0 },
        /Needs read and create on tenants\/data\/_rotation-schedules; /,
      ],
      ['audit:request-delete', { path: `${TENANT}/smtp/admin`, reason: 'auditor tries' }, /Needs create on tenants-approvals\/data\/requests\/apr-0+; /],
      ['audit:approve-delete', { id: approvalId }, new RegExp(`Needs read and update on tenants-approvals/data/requests/${approvalId}; `)],
      ['audit:delete-secret', { id: approvalId }, new RegExp(`Needs read and update on tenants-approvals/data/requests/${approvalId}; `)],
      ['backup:run', { kind: 'raft' }, /Needs read on sys\/storage\/raft\/snapshot; /],
    ];
    const offset = statSync(s.openbao.auditLogPath).size;
    for (const [channel, input, reason] of cases) {
      const r = await dispatch(handlers, channel, input);
      expect(r, channel).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
      expect((r as { error: { message: string } }).error.message, channel).toMatch(reason);
      expect((r as { error: { message: string } }).error.message, channel).toContain('(vault-console-auditor)');
    }
    const lines = auditLinesFrom(offset).filter((l) => l.type === 'request');
    const mine = lines.filter((l) => l.auth?.display_name === `userpass-${auditor.username}`);
    expect(mine.map((l) => l.request?.path)).toContain('sys/capabilities-self');
    // Besides the capability checks, the session's own background work may run (token lookup,
    // metrics, the rotation grace sweep's listings); no request reads a secret or writes anything.
    const touched = mine
      .filter((l) => l.request?.operation !== 'list' && l.request?.path !== 'sys/capabilities-self')
      .map((l) => `${l.request?.operation} ${l.request?.path}`)
      .filter((x) => !/^(read|update) (sys\/metrics|auth\/token\/(lookup|renew)-self)$/.test(x));
    expect(touched).toEqual([]);
    // No re-authentication login was tried for the reveal either (it would count towards lockouts).
    expect(lines.filter((l) => l.request?.path === `auth/userpass/login/${auditor.username}`)).toHaveLength(0);
    // Nothing changed: the deletion request is still pending, the secret still there.
    expect((await baoFetch<{ data: { data: { status: string } } }>(s, 'GET', `tenants-approvals/data/requests/${approvalId}`)).body.data.data.status).toBe('pending');
  });

  it("following Vault's file audit device needs read and sudo on sys/audit; a file picked in main asks Vault nothing", async () => {
    const reader = { username: `guard-reader-${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('base64url') };
    await baoFetch(s, 'POST', `auth/userpass/users/${reader.username}`, { body: { password: reader.password, token_policies: 'default', token_ttl: '1h' } });
    try {
      const { services, handlers } = build();
      await services.session.loginUserpass(reader.username, reader.password);
      const offset = statSync(s.openbao.auditLogPath).size;
      const r = await dispatch(handlers, 'audit:stream-start', { source: 'sys-audit' });
      expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
      expect((r as { error: { message: string } }).error.message).toMatch(/^Follow Vault's file audit device: Needs read and sudo on sys\/audit; /);
      const mine = auditLinesFrom(offset).filter((l) => l.type === 'request' && l.auth?.display_name === `userpass-${reader.username}`);
      expect(mine.map((l) => l.request?.path)).not.toContain('sys/audit');
    } finally {
      await baoFetch(s, 'DELETE', `auth/userpass/users/${reader.username}`);
    }
  });

  it('every guarded channel is one the UI gates (the two lists cannot drift apart silently)', () => {
    expect(Object.keys(GUARDS).sort()).toEqual(
      [
        'audit:approve-delete',
        'audit:delete-secret',
        'audit:request-delete',
        'audit:stream-start',
        'backup:restore',
        'backup:run',
        'dkim:check',
        'dkim:retire-anyway',
        'incident:rotate-api-key',
        'reveal:verify',
        'rotation:emergency-reset',
        'rotation:rotate',
        'rotation:set-schedules',
        'tenants:dkim-dns',
        'tenants:download-ssh-key',
        'tenants:history',
        'tenants:revoke-api-key',
        'tenants:sync',
        'vault:seal',
      ].sort(),
    );
  });
});
