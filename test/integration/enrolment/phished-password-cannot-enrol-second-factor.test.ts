// Security regression (issue 17, item 4): whoever phished an admin's password must not be
// able to set up their own second factor and reveal credentials. Tried as that attacker,
// with the stolen password's own token straight against Vault (not only through the
// console), and as a dishonest granting admin.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../../src/main/services/log/logger';
import { activeKeyName } from '../../../src/main/services/enrolment/active-key';
import { createRevealUser, rootCaller } from '../reveal/reveal-fixtures';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';
import { signedIn, type Account } from './enrolment-fixtures';

let s: ServicesState;
let victim: Account;
let colleague: Account;
let victimToken: string;
let victimEntity: string;
let colleagueToken: string;
let colleagueEntity: string;
const em = () => `${s.openbao.kvMount}-enrolment`;
const keyBody = { generate: true, exported: true, issuer: 'Vault Console', account_name: 'x' };

async function entityOf(token: string): Promise<string> {
  return (await baoFetch<{ data: { entity_id: string } }>(s, 'GET', 'auth/token/lookup-self', { token })).body.data.entity_id;
}

async function wrapped(token: string, path: string, body: unknown, ttl = '10m') {
  const res = await fetch(`${s.openbao.addr}/v1/${path}`, {
    method: 'POST',
    headers: { 'X-Vault-Token': token, 'X-Vault-Wrap-TTL': ttl, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as { wrap_info?: { token: string } } };
}

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink(() => undefined);
  const call = rootCaller(s.openbao.addr, s.openbao.rootToken);
  victim = await createRevealUser(call, 'phished');
  colleague = await createRevealUser(call, 'colleague');
  // The attacker signs in with the stolen password: the victim's own policies.
  victimToken = await userpassLogin(s, victim.username, victim.password);
  victimEntity = await entityOf(victimToken);
  colleagueToken = await userpassLogin(s, colleague.username, colleague.password);
  colleagueEntity = await entityOf(colleagueToken);
}, 60_000);

afterAll(async () => {
  for (const t of [victimToken, colleagueToken]) await baoFetch(s, 'POST', 'auth/token/revoke-self', { token: t });
});

describe('with the password alone', () => {
  it('Vault refuses to create the victim\'s own 2FA key, wrapped or not', async () => {
    const key = `totp/keys/vault-console-e-${victimEntity}-g${randomBytes(6).toString('hex')}`;
    expect((await baoFetch(s, 'POST', key, { token: victimToken, body: keyBody })).status).toBe(403);
    expect((await wrapped(victimToken, key, keyBody)).status).toBe(403);
  });

  it('Vault refuses a grant written for yourself, also one that pretends another admin wrote it', async () => {
    const data = { data: { grant_id: 'g000000000001', wrap_token: 'x' } };
    expect((await baoFetch(s, 'POST', `${em()}/data/grants/${victimEntity}/${victimEntity}`, { token: victimToken, body: data })).status).toBe(403);
    expect((await baoFetch(s, 'POST', `${em()}/data/grants/${victimEntity}/${colleagueEntity}`, { token: victimToken, body: data })).status).toBe(403);
  });

  it('the console refuses to grant to yourself (and says who must)', async () => {
    const a = await signedIn(s.openbao.addr, s.openbao.kvMount, victim);
    try {
      await expect(a.enrolment.grant(victim.username, 60)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/granted by another admin/) });
    } finally {
      await a.session.logout();
    }
  });

  it('a self-written "active" record pointing at a key a grant did not make counts as not enrolled', async () => {
    // A key under the old, password-only naming (made here with root, as the old flow did).
    expect((await baoFetch(s, 'POST', `totp/keys/vault-console-${victim.username}`, { body: keyBody })).status).toBe(200);
    for (const key_name of [`vault-console-${victim.username}`, `vault-console-e-${colleagueEntity}-g000000000001`, `vault-console-e-${victimEntity}-g000000000002`]) {
      const w = await baoFetch(s, 'POST', `${em()}/data/active/${victimEntity}`, { token: victimToken, body: { data: { key_name, grant_id: 'g000000000002' } } });
      expect(w.status).toBe(200);
      const a = await signedIn(s.openbao.addr, s.openbao.kvMount, victim);
      try {
        expect(await activeKeyName(a.session.requireClient(), s.openbao.kvMount, victimEntity), key_name).toBeNull();
        expect((await a.enrolment.status()).active, key_name).toBeNull();
      } finally {
        await a.session.logout();
      }
    }
  });

  it('codes can be checked only against your own keys (no code oracle on a colleague\'s)', async () => {
    const theirs = `totp/code/vault-console-e-${colleagueEntity}-g000000000001`;
    expect((await baoFetch(s, 'POST', theirs, { token: victimToken, body: { code: '123456' } })).status).toBe(403);
    expect((await baoFetch(s, 'GET', `totp/code/vault-console-e-${victimEntity}-g000000000001`, { token: victimToken })).status).toBe(403);
  });
});

describe('a dishonest or careless granting admin', () => {
  it('cannot create the key unwrapped (would see the seed), nor read the grant back', async () => {
    const key = `totp/keys/vault-console-e-${victimEntity}-g${randomBytes(6).toString('hex')}`;
    expect((await baoFetch(s, 'POST', key, { token: colleagueToken, body: keyBody })).status).toBe(403);
    // Longer than the policy's max_wrapping_ttl (72 h): refused.
    expect((await wrapped(colleagueToken, key, keyBody, '100h')).status).toBe(403);
    const b = await signedIn(s.openbao.addr, s.openbao.kvMount, colleague);
    try {
      await b.enrolment.grant(victim.username, 60);
    } finally {
      await b.session.logout();
    }
    expect((await baoFetch(s, 'GET', `${em()}/data/grants/${victimEntity}/${colleagueEntity}`, { token: colleagueToken })).status).toBe(403);
  });

  it('if anyone opened the grant before its owner, the owner is told, and nothing activates', async () => {
    // The grant's wrapping token, opened by someone else first (here: root reads it and unwraps).
    const rec = await baoFetch<{ data: { data: { wrap_token: string } } }>(s, 'GET', `${em()}/data/grants/${victimEntity}/${colleagueEntity}`);
    expect((await baoFetch(s, 'POST', 'sys/wrapping/unwrap', { body: { token: rec.body.data.data.wrap_token } })).status).toBe(200);
    const a = await signedIn(s.openbao.addr, s.openbao.kvMount, victim);
    try {
      await expect(a.enrolment.begin(colleagueEntity)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/someone else has the key/) });
      expect((await a.enrolment.status()).active).toBeNull();
    } finally {
      await a.session.logout();
    }
  });
});

describe('a cluster whose policies would let people make their own factor', () => {
  it('the console does not enrol there (fail closed), even with a genuine grant', async () => {
    const loose = `
path "totp/keys/*" { capabilities = ["create", "update", "read"] }
path "totp/code/*" { capabilities = ["update"] }
path "${em()}/data/grants/*" { capabilities = ["create", "update", "read"] }
path "${em()}/metadata/grants/*" { capabilities = ["list"] }
path "${em()}/data/active/*" { capabilities = ["create", "update", "read"] }
path "identity/entity/id/+" { capabilities = ["read"] }
path "sys/capabilities-self" { capabilities = ["update"] }
`;
    await baoFetch(s, 'PUT', 'sys/policies/acl/vc-loose-totp', { body: { policy: loose } });
    const user = { username: `loose-${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('base64url') };
    await baoFetch(s, 'POST', `auth/userpass/users/${user.username}`, { body: { password: user.password, token_policies: 'vc-loose-totp' } });
    const a = await signedIn(s.openbao.addr, s.openbao.kvMount, user);
    const b = await signedIn(s.openbao.addr, s.openbao.kvMount, colleague);
    try {
      await b.enrolment.grant(user.username, 60);
      const g = (await a.enrolment.status()).grants[0]!;
      await expect(a.enrolment.begin(g.granterEntityId)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/Your policies let you write totp\/keys\/vault-console-e-/) });
      // Refused before opening: the grant is still unopened.
      expect((await a.enrolment.status()).grants[0]!.state).toBe('ready');
    } finally {
      await a.session.logout();
      await b.session.logout();
      await baoFetch(s, 'DELETE', `auth/userpass/users/${user.username}`);
      await baoFetch(s, 'DELETE', 'sys/policies/acl/vc-loose-totp');
    }
  });
});
