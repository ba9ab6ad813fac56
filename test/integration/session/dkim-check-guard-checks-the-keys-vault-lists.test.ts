// Security regression (red team, after issue 17 item 2): "Check DNS now" for a whole tenant
// (dkim:check without a domain) was gated on the DKIM domains of the console's LOCAL index,
// while the action checks every DKIM key Vault lists. On a console whose index is empty (a
// new profile, before the first sync) the guard had nothing to check and let the action
// through: an auditor's console read the keys' data and DNS was queried before Vault said
// no. The guard now asks for the same keys the action will touch: it lists them in Vault
// (after checking list on the folder) and checks each key's paths.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../src/main/handlers';
import { dispatch } from '../../../src/main/handlers/dispatch';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, type Services } from '../../../src/main/services/container';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { setLogSink } from '../../../src/main/services/log/logger';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';

const TENANT = 't-932001';
let s: ServicesState;
let auditor: { username: string; password: string };
let services: Services;
let dir: string;

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink(() => undefined);
  const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  await seedTenants({ client: root, mount: s.openbao.kvMount, count: 1, startIndex: 932001, dkimPoolSize: 1, logger: quiet });
  root.close();
  auditor = { username: `dkim-guard-auditor-${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('base64url') };
  await baoFetch(s, 'POST', `auth/userpass/users/${auditor.username}`, { body: { password: auditor.password, token_policies: 'vault-console-auditor', token_ttl: '1h' } });
  dir = mkdtempSync(join(tmpdir(), 'vc-dkim-guard-'));
  // A fresh console: its local index is empty (no sync has run).
  services = createServices({
    connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount }),
    shell: 'harness',
    appVersion: 'test',
    platform: 'linux',
    dataDir: dir,
    secretStore: new MemorySecretStore(),
    openExternal: async () => undefined,
    events: { emit: () => undefined },
    autoSync: false,
  });
}, 120_000);

afterAll(async () => {
  await services?.session.logout().catch(() => undefined);
  await services?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await baoFetch(s, 'DELETE', `auth/userpass/users/${auditor.username}`);
});

describe('Check DNS now for a whole tenant is gated on the keys Vault lists', () => {
  it('an auditor on a console with an empty index is refused before any key is read', async () => {
    await services.session.loginUserpass(auditor.username, auditor.password);
    expect(services.dkimDnsRepo.dkimDomains(TENANT)).toEqual([]);
    const domain = (await baoFetch<{ data: { keys: string[] } }>(s, 'LIST', `tenants/metadata/${TENANT}/dkim`)).body.data.keys[0]!;
    const offset = statSync(s.openbao.auditLogPath).size;
    const r = await dispatch(createHandlers(services), 'dkim:check', { tenantId: TENANT });
    expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect((r as { error: { message: string } }).error.message).toMatch(new RegExp(`^Check DNS now: Needs read on tenants/data/${TENANT}/dkim/${domain.replaceAll('.', '\\.')}; `));
    // Vault's record: the auditor's console asked about capabilities and listed; it read no key.
    const mine = readFileSync(s.openbao.auditLogPath)
      .subarray(offset)
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; auth?: { display_name?: string }; request?: { path?: string; operation?: string } })
      .filter((l) => l.type === 'request' && l.auth?.display_name === `userpass-${auditor.username}`);
    expect(mine.filter((l) => l.request?.path?.startsWith(`tenants/data/${TENANT}/`))).toEqual([]);
    expect(mine.filter((l) => l.request?.operation === 'patch')).toEqual([]);
  });
});
