// Security regression (issue 13, item 7): changing the address, CA, minimum TLS version or
// namespace of the active profile kept the stored token, so the next request carried it to
// wherever the new settings point. Now such a change signs out first, after a confirmation:
// the token is revoked over the OLD settings (OpenBao confirms it is gone) and deleted from
// the keychain (the real gnome-keyring). Other edits (name, environment, mount) keep the
// session; a stored session whose settings changed underneath is never used.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, type Services } from '../../../src/main/services/container';
import { createHandlers } from '../../../src/main/handlers';
import { dispatch } from '../../../src/main/handlers/dispatch';
import { KeytarSecretStore } from '../../../src/main/services/keychain/keychain.keytar';
import { setLogSink } from '../../../src/main/services/log/logger';
import { ProfilesRepo } from '../../../src/main/services/storage/profiles-repo';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';

let s: ServicesState;
const store = new KeytarSecretStore({ service: 'vault-console-test-trust-change' });
const open: Array<{ services: Services; dir: string }> = [];

function build() {
  const dir = mkdtempSync(join(tmpdir(), 'vc-trust-'));
  const services = createServices({
    connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr }),
    shell: 'harness',
    appVersion: 'test',
    platform: 'linux',
    dataDir: dir,
    secretStore: store,
    openExternal: async () => undefined,
    events: { emit: () => undefined },
  });
  open.push({ services, dir });
  return { services, handlers: createHandlers(services) };
}

/** Whether OpenBao still knows the token (root's view, not the console's). */
async function tokenAlive(token: string): Promise<boolean> {
  const r = await baoFetch(s, 'POST', 'auth/token/lookup', { body: { token } });
  return r.status === 200;
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

const profileOf = (services: Services) => {
  const p = services.profiles.active();
  return { id: p.id, name: p.name, address: p.address, minTls: p.minTls, kvMount: p.kvMount };
};

describe('changing how the console trusts the active cluster', () => {
  it('is refused without confirmation; confirmed, it revokes the token over the old settings and forgets it', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const token = services.session.requireClient().token()!;
    const id = services.profiles.active().id;
    expect(await store.get(`session:${id}`)).not.toBeNull();

    for (const change of [{ minTls: 'TLSv1.2' as const }, { namespace: 'team-a' }, { address: 'https://127.0.0.1:1' }]) {
      const refused = await dispatch(handlers, 'profiles:save', { ...profileOf(services), ...change });
      expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(/signs you out first: confirm/) } });
    }
    // Nothing changed: same settings, still signed in, token alive.
    expect(services.profiles.active()).toMatchObject({ minTls: 'TLSv1.3', namespace: null, address: s.openbao.addr });
    expect(services.session.info().signedIn).toBe(true);
    expect(await tokenAlive(token)).toBe(true);

    const ok = await dispatch(handlers, 'profiles:save', { ...profileOf(services), address: 'https://127.0.0.1:1', confirmSignOut: true });
    expect(ok).toMatchObject({ ok: true, value: { address: 'https://127.0.0.1:1' } });
    expect(services.session.info().signedIn).toBe(false);
    expect(await tokenAlive(token)).toBe(false);
    expect(await store.get(`session:${id}`)).toBeNull();
    // The active cluster is still the same profile (now pointing elsewhere), by its stored choice.
    expect(services.profiles.active().id).toBe(id);
  });

  it('a rename, another environment or another mount keeps the session', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const token = services.session.requireClient().token()!;
    const r = await dispatch(handlers, 'profiles:save', { ...profileOf(services), name: 'Renamed', environment: 'staging', kvMount: 'tenants' });
    expect(r).toMatchObject({ ok: true, value: { name: 'Renamed', environment: 'staging' } });
    expect(services.session.info()).toMatchObject({ signedIn: true, username: 'admin' });
    expect(await tokenAlive(token)).toBe(true);
  });

  it("another profile's stored session is revoked over its old settings when they change", async () => {
    const { services, handlers } = build();
    const first = services.profiles.active().id;
    const other = services.profiles.save({ name: 'Same Vault B', address: s.openbao.addr, minTls: 'TLSv1.3', kvMount: 'tenants' });
    await services.switchProfile(other.id);
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const token = services.session.requireClient().token()!;
    await services.switchProfile(first);
    expect(await store.get(`session:${other.id}`)).not.toBeNull();
    const r = await dispatch(handlers, 'profiles:save', { id: other.id, name: 'Same Vault B', address: s.openbao.addr, minTls: 'TLSv1.2', kvMount: 'tenants' });
    expect(r).toMatchObject({ ok: true });
    expect(await tokenAlive(token)).toBe(false);
    expect(await store.get(`session:${other.id}`)).toBeNull();
    expect(services.profiles.active().id).toBe(first);
  });

  it('a stored session is never used over settings it was not obtained with (changed behind the console)', async () => {
    const { services } = build();
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const id = services.profiles.active().id;
    // Someone edits the database directly: another minimum TLS version for the same address.
    const repo = new ProfilesRepo(services.db);
    repo.upsert({ ...repo.get(id)!, minTls: 'TLSv1.2' });
    const info = await services.switchProfile(id);
    expect(info).toMatchObject({ signedIn: false, problem: expect.stringMatching(/settings changed since you signed in/) });
    expect(await store.get(`session:${id}`)).toBeNull();
  });
});
