// Security regression (issue 13, item 5): node-vault falls back to VAULT_TOKEN,
// VAULT_NAMESPACE, VAULT_ADDR and VAULT_PREFIX from the environment. Launched from a shell
// with a token exported, the app sent it with every profile's health poll and login call.
// The console's clients now carry exactly the token and namespace their caller gave;
// OpenBao's answers prove it (a token-less lookup-self is refused; an unknown namespace from
// the environment would make sys/health fail with 400).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectionFromEnv, type VaultConnection } from '../../../src/main/services/config/app-config';
import { readVaultStatus } from '../../../src/main/services/vault/vault-status';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { SessionService } from '../../../src/main/services/session/session-service';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { systemClock } from '../../../src/main/services/time/clock';
import { loadTestServices, type ServicesState } from '../helpers/services';

const KEYS = ['VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_ADDR', 'VAULT_PREFIX'] as const;
let s: ServicesState;
let conn: VaultConnection;
const saved: Partial<Record<(typeof KEYS)[number], string>> = {};

beforeAll(async () => {
  s = await loadTestServices();
  conn = { address: s.openbao.addr, minTlsVersion: 'TLSv1.3', kvMount: s.openbao.kvMount, timeoutMs: 10_000 };
});

beforeEach(() => {
  for (const k of KEYS) saved[k] = process.env[k];
  // What a developer's shell might export: a live root token, a namespace, another address and prefix.
  process.env.VAULT_TOKEN = s.openbao.rootToken;
  process.env.VAULT_NAMESPACE = 'no-such-namespace';
  process.env.VAULT_ADDR = 'http://127.0.0.1:1';
  process.env.VAULT_PREFIX = '/not-here';
});

afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe("a client never takes the environment's token, namespace, address or prefix", () => {
  it('the token-less client sends no token: OpenBao refuses lookup-self', async () => {
    const anon = createVaultClient(conn);
    try {
      await expect(anon.request('GET', 'auth/token/lookup-self')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(anon.token()).toBeUndefined();
      // node-vault's own API path goes the same way.
      await expect(anon.raw.tokenLookupSelf()).rejects.toMatchObject({ response: { statusCode: 403 } });
    } finally {
      anon.close();
    }
  });

  it("the health poll reaches the profile's address without the environment's namespace", async () => {
    const anon = createVaultClient(conn);
    try {
      const status = await readVaultStatus(anon);
      expect(status).toMatchObject({ reachable: true, sealed: false, address: s.openbao.addr });
    } finally {
      anon.close();
    }
  });

  it("a signed-in client sends its own token, with the profile's namespace (none), not the environment's", async () => {
    const client = createVaultClient(conn, s.openbao.rootToken);
    try {
      const mounts = await client.request<{ data?: Record<string, unknown> }>('GET', 'sys/mounts');
      expect(Object.keys(mounts.data ?? {})).toContain(`${s.openbao.kvMount}/`);
    } finally {
      client.close();
    }
  });

  it('a userpass sign-in sends no token with the login call: the session is the user, not the exported root token', async () => {
    const { username, password } = s.openbao.users.auditor;
    const session = new SessionService({ store: new MemorySecretStore(), clock: systemClock }, conn, 'env-test');
    try {
      const info = await session.loginUserpass(username, password);
      expect(info.policies).not.toContain('root');
      expect(info.displayName).toContain(username);
    } finally {
      await session.logout();
    }
  });

  it('the connection read from the environment for the first profile still uses VAULT_ADDR and VAULT_NAMESPACE on purpose', () => {
    const c = connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_NAMESPACE: 'team-a' });
    expect(c).toMatchObject({ address: s.openbao.addr, namespace: 'team-a' });
  });
});
