// The session against the real OpenBao and the real OS keychain (gnome-keyring).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { KeytarSecretStore } from '../../../src/main/services/keychain/keychain.keytar';
import { setLogSink } from '../../../src/main/services/log/logger';
import { SessionService } from '../../../src/main/services/session/session-service';
import { systemClock } from '../../../src/main/services/time/clock';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';

let s: ServicesState;
const logLines: string[] = [];
const store = new KeytarSecretStore({ service: 'vault-console-test-session' });
const sessions: SessionService[] = [];

function newSession(profileId = 'it-session') {
  const conn = connectionFromEnv({ VAULT_ADDR: s.openbao.addr });
  const session = new SessionService({ store, clock: systemClock }, conn, profileId);
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink((l) => logLines.push(l));
});

afterEach(async () => {
  for (const x of sessions.splice(0)) x.dispose();
  await store.delete('session:it-session').catch(() => false);
});

describe('session (real OpenBao + gnome-keyring)', () => {
  it('signs in with userpass, keeps the token only in the keychain, and resumes after a restart', async () => {
    const first = newSession();
    const info = await first.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    expect(info).toMatchObject({ signedIn: true, method: 'userpass', username: 'admin' });
    expect(info.policies).toContain('vault-console-admin');
    expect(JSON.stringify(info)).not.toMatch(/"token"|s\.[A-Za-z0-9]{20}/);

    const kept = await store.get('session:it-session');
    expect(kept).toBeTruthy();
    const token = (JSON.parse(kept!) as { token: string }).token;
    expect(logLines.join('\n')).not.toContain(token);

    // "Restart": a new service with nothing in memory resumes from the keychain.
    first.dispose();
    const second = newSession();
    const resumed = await second.resume();
    expect(resumed).toMatchObject({ signedIn: true, username: 'admin', method: 'userpass' });
    await expect(second.requireClient().request('GET', 'auth/token/lookup-self')).resolves.toBeTruthy();
  });

  it('sign-out revokes the token in Vault and deletes it from the keychain', async () => {
    const session = newSession();
    await session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const token = (JSON.parse((await store.get('session:it-session'))!) as { token: string }).token;
    await session.logout();
    expect(await store.get('session:it-session')).toBeNull();
    const after = await baoFetch(s, 'GET', 'auth/token/lookup-self', { token });
    expect(after.status).toBe(403);
    expect(() => session.requireClient()).toThrowError(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('a wrong password gives a clear error and stores nothing', async () => {
    const session = newSession();
    await expect(session.loginUserpass(s.openbao.users.admin.username, 'wrong-password')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Wrong username or password.',
    });
    expect(await store.get('session:it-session')).toBeNull();
    expect(session.info().signedIn).toBe(false);
  });

  it("accepts the init root token, whose lookup omits fields other tokens have", async () => {
    const session = newSession();
    const info = await session.loginToken(s.openbao.rootToken);
    expect(info).toMatchObject({ signedIn: true, method: 'token', renewable: false, expiresAt: null, policies: ['root'] });
    // dispose, not logout: logout would revoke the shared root token.
    session.dispose();
    await store.delete('session:it-session');
  });

  it('a bad token is refused and stores nothing', async () => {
    const session = newSession();
    await expect(session.loginToken('s.notarealtoken12345678901234')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await store.get('session:it-session')).toBeNull();
  });

  it('a stored token that Vault has revoked is dropped on resume', async () => {
    const session = newSession();
    await session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const token = (JSON.parse((await store.get('session:it-session'))!) as { token: string }).token;
    session.dispose();
    await baoFetch(s, 'POST', 'auth/token/revoke', { body: { token } });
    const resumed = await newSession().resume();
    expect(resumed.signedIn).toBe(false);
    expect(resumed.problem).toMatch(/invalid, expired or revoked\); sign in again/);
    expect(await store.get('session:it-session')).toBeNull();
  });

  it('renews a short-lived token before it expires', async () => {
    // A periodic-free token with a 6 s TTL and a 60 s max: renewal must keep it alive past 6 s.
    const created = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', {
      body: { policies: ['vault-console-admin'], ttl: '6s', explicit_max_ttl: '60s', renewable: true },
    });
    const session = newSession();
    await session.loginToken(created.body.auth.client_token);
    await new Promise((r) => setTimeout(r, 8000));
    expect(session.info().signedIn).toBe(true);
    await expect(session.requireClient().request('GET', 'auth/token/lookup-self')).resolves.toBeTruthy();
  }, 20_000);

  it('warns before an unrenewable token expires, then signs out when it does', async () => {
    const created = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', {
      body: { policies: ['vault-console-admin'], ttl: '3s', renewable: false },
    });
    const session = newSession();
    const seen: boolean[] = [];
    session.onChange((i) => seen.push(i.expiringSoon));
    const info = await session.loginToken(created.body.auth.client_token);
    // 3 s is already inside the 5-minute warning window.
    expect(info).toMatchObject({ signedIn: true, renewable: false, expiringSoon: true });
    await new Promise((r) => setTimeout(r, 4000));
    expect(session.info()).toMatchObject({ signedIn: false, problem: expect.stringMatching(/expired/) });
    expect(await store.get('session:it-session')).toBeNull();
  }, 20_000);
});
