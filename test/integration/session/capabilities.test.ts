// Permission gates against the real OpenBao and its real policies: what the UI asks
// (session:can) names the exact path and capability; main's guard asks Vault again, fresh,
// so a policy changed after the UI asked is what decides.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, type Services } from '../../../src/main/services/container';
import { createHandlers } from '../../../src/main/handlers';
import { dispatch } from '../../../src/main/handlers/dispatch';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { setLogSink } from '../../../src/main/services/log/logger';
import type { GateCheck } from '../../../src/shared/capabilities';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';

let s: ServicesState;
const open: Array<{ services: Services; dir: string }> = [];
const TENANT = 't-000042';

function build() {
  const dir = mkdtempSync(join(tmpdir(), 'vc-caps-'));
  const services = createServices({
    connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount }),
    shell: 'harness',
    appVersion: 'test',
    platform: 'linux',
    dataDir: dir,
    secretStore: new MemorySecretStore(),
    openExternal: async () => undefined,
    events: { emit: () => undefined },
  });
  open.push({ services, dir });
  return { services, handlers: createHandlers(services) };
}

async function can(handlers: ReturnType<typeof createHandlers>, checks: GateCheck[]) {
  const r = await dispatch(handlers, 'session:can', { checks });
  if (!r.ok) throw new Error(`session:can failed: ${r.error.message}`);
  return (r.value as { results: Array<{ allowed: boolean; reason: string | null; missing: { path: string; caps: string[] } | null }> }).results;
}

const created: string[] = [];
async function userWith(policy: string, noDefault = false): Promise<{ username: string; password: string }> {
  const username = `caps-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const r = await baoFetch(s, 'POST', `auth/userpass/users/${username}`, { body: { password, token_policies: policy, token_ttl: '1h', token_no_default_policy: noDefault } });
  expect(r.status).toBe(204);
  created.push(username);
  return { username, password };
}

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink(() => undefined);
});

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.services.session.logout().catch(() => undefined);
    await o.services.dispose();
    rmSync(o.dir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  for (const u of created) await baoFetch(s, 'DELETE', `auth/userpass/users/${u}`);
  await baoFetch(s, 'DELETE', 'sys/policies/acl/caps-changing');
});

describe('session:can (real policies)', () => {
  const checks: GateCheck[] = [
    { action: 'vault.seal' },
    { action: 'tenants.sync' },
    { action: 'ssh.download', tenantId: TENANT },
    { action: 'secrets.rotate', tenantId: TENANT, target: 'dkim:mail.example.org' },
    { action: 'apikeys.revoke', tenantId: TENANT, keyId: 'ak_0123456789' },
    { action: 'secrets.history', tenantId: TENANT, path: `${TENANT}/smtp/admin` },
    { action: 'schedules.save', exists: true },
  ];

  it('an admin may take every action', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    expect((await can(handlers, checks)).map((r) => r.allowed)).toEqual(checks.map(() => true));
  });

  it('an auditor may sync and read history; everything else is refused naming the exact path and capability', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.auditor.username, s.openbao.users.auditor.password);
    const [seal, sync, download, dkim, revoke, history, schedules] = await can(handlers, checks);
    expect(sync!.allowed).toBe(true);
    expect(history!.allowed).toBe(true);
    expect(seal!.reason).toBe('Needs update and sudo on sys/seal; not granted to your policies (vault-console-auditor).');
    // The wrong reasons: both cited tenants/data/<tenant>/smtp/admin.
    expect(download!.reason).toBe(`Needs read on tenants/data/${TENANT}/ssh/tenant; not granted to your policies (vault-console-auditor).`);
    expect(dkim!.missing).toEqual({ path: `tenants/data/${TENANT}/dkim/mail.example.org`, caps: ['read', 'update'] });
    // Metadata is readable for an auditor; only the write is missing.
    expect(revoke!.missing).toEqual({ path: `tenants/metadata/${TENANT}/api/ak_0123456789`, caps: ['patch'] });
    expect(schedules!.missing).toEqual({ path: 'tenants/data/_rotation-schedules', caps: ['read', 'update'] });
  });

  it('signed out, everything is refused with "Sign in"', async () => {
    const { handlers } = build();
    expect(await can(handlers, [{ action: 'vault.seal' }])).toEqual([{ allowed: false, reason: 'Sign in to Vault first.', missing: null }]);
  });

  it('parameters that name nothing in the layout are refused, never checked', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const [r] = await can(handlers, [{ action: 'secrets.rotate', tenantId: TENANT, target: 'dkim:../../sys' }]);
    expect(r!.allowed).toBe(false);
    expect(r!.reason).toMatch(/Not a mail domain/);
  });

  it('a token that may not call sys/capabilities-self gets nothing enabled, and the guard fails closed', async () => {
    await baoFetch(s, 'PUT', 'sys/policies/acl/caps-none', {
      body: { policy: 'path "tenants/metadata" { capabilities = ["list"] }\npath "auth/token/lookup-self" { capabilities = ["read"] }' },
    });
    // Without the default policy (which grants capabilities-self).
    const u = await userWith('caps-none', true);
    const { services, handlers } = build();
    await services.session.loginUserpass(u.username, u.password);
    const [r] = await can(handlers, [{ action: 'tenants.sync' }]);
    expect(r!.allowed).toBe(false);
    expect(r!.reason).toMatch(/sys\/capabilities-self.*cannot check what you may do/);
    const sync = await dispatch(handlers, 'tenants:sync', { mode: 'incremental' });
    expect(sync).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    await baoFetch(s, 'DELETE', 'sys/policies/acl/caps-none');
  });
});

describe('main checks again before the first Vault call', () => {
  it('a policy narrowed after the UI asked: the UI answer is stale, the guard is not', async () => {
    await baoFetch(s, 'PUT', 'sys/policies/acl/caps-changing', {
      body: { policy: 'path "sys/capabilities-self" { capabilities = ["update"] }\npath "tenants/metadata" { capabilities = ["list"] }\npath "tenants/data/_rotation-schedules" { capabilities = ["read", "create", "update"] }' },
    });
    const u = await userWith('caps-changing');
    const { services, handlers } = build();
    await services.session.loginUserpass(u.username, u.password);
    const [before] = await can(handlers, [{ action: 'schedules.save', exists: true }]);
    expect(before!.allowed).toBe(true);

    await baoFetch(s, 'PUT', 'sys/policies/acl/caps-changing', {
      body: { policy: 'path "sys/capabilities-self" { capabilities = ["update"] }\npath "tenants/metadata" { capabilities = ["list"] }\npath "tenants/data/_rotation-schedules" { capabilities = ["read"] }' },
    });
    // The UI's answer is cached for a short while; the guard asks Vault now.
    const r = await dispatch(handlers, 'rotation:set-schedules', {
      schedules: { days: { ssh: 90, smtp: 90, dkim: 180, api: 365 }, graceHours: { ssh: 24, dkim: 48 } },
      expectedVersion: 1,
    });
    expect(r).toEqual({
      ok: false,
      error: { code: 'PERMISSION_DENIED', message: 'Save rotation schedules: Needs update on tenants/data/_rotation-schedules; not granted to your policies (caps-changing).' },
    });
  });
});
