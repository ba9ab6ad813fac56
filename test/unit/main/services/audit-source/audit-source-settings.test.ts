// The audit-source migration on a fresh database, and each profile's audit source setting: every bad
// input gets a clear error and changes nothing; the credential goes to the keychain
// only (never SQLite, never the view); the LogsQL built from a filter quotes everything.
import { describe, expect, it } from 'vitest';
import { AuditSourceSettings, authHeaderOf, credentialAccount } from '../../../../../src/main/services/audit-source/audit-source-settings';
import { filterQuery, OURS, parseStreamFilter, quote } from '../../../../../src/main/services/audit-source/logsql';
import { candidateRanges } from '../../../../../src/main/services/audit-source/alert-prefilter';
import { MemorySecretStore } from '../../../../../src/main/services/keychain/memory-secret-store';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { AuditSourceRepo } from '../../../../../src/main/services/storage/audit-source-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';

function setup() {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES ('p1', 'Prod', 'https://v', 'TLSv1.3', 'tenants', 't', 't')").run();
  const secrets = new MemorySecretStore();
  const settings = new AuditSourceSettings({ repo: new AuditSourceRepo(db), secrets, local: new AuditRepo(db), profileId: () => 'p1' });
  return { db, secrets, settings };
}

describe('audit source settings', () => {
  it('the audit-source migration creates audit_sources on a fresh database, tied to its profile', () => {
    const v = MIGRATIONS.find((m) => m.name.startsWith('audit source per profile'))!.version;
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version <= v) });
    expect(currentVersion(db)).toBe(v);
    db.prepare("INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES ('p1', 'Prod', 'https://v', 'TLSv1.3', 'tenants', 't', 't')").run();
    db.prepare("INSERT INTO audit_sources (profile_id, kind, updated_at) VALUES ('p1', 'local', 't')").run();
    expect(() => db.prepare("INSERT INTO audit_sources (profile_id, kind, updated_at) VALUES ('p1', 'elastic', 't')").run()).toThrow(/CHECK|UNIQUE/);
    db.prepare("DELETE FROM connection_profiles WHERE id = 'p1'").run();
    expect(db.prepare('SELECT count(*) FROM audit_sources').pluck().get()).toBe(0);
  });

  it('the local store by default', async () => {
    const { settings } = setup();
    expect(await settings.view()).toMatchObject({ kind: 'local', url: null, hasCredential: false });
    expect(settings.source().kind).toBe('local');
  });

  it('keeps the token in the keychain only: not in SQLite, not in the view', async () => {
    const { db, secrets, settings } = setup();
    const token = 'vl-token-abcdef0123456789';
    const v = await settings.set({ kind: 'victorialogs', url: 'https://logs.example:9428', streamFilter: '{vault_cluster="prod-eu"}', authKind: 'bearer', credential: token });
    expect(v).toMatchObject({ kind: 'victorialogs', hasCredential: true, streamFilter: '{vault_cluster="prod-eu"}' });
    expect(JSON.stringify(v)).not.toContain(token);
    expect(await secrets.get(credentialAccount('p1'))).toBe(token);
    const dump = JSON.stringify(db.prepare('SELECT * FROM audit_sources').all()) + JSON.stringify(db.prepare('SELECT * FROM settings').all());
    expect(dump).not.toContain(token);
    expect(settings.source().label).toBe('VictoriaLogs at logs.example:9428 {vault_cluster="prod-eu"}');
    // Back to local: the credential leaves the keychain.
    await settings.set({ kind: 'local' });
    expect(await secrets.get(credentialAccount('p1'))).toBeNull();
  });

  it.each([
    [{ kind: 'victorialogs' as const, url: '' }, /needs its URL/],
    [{ kind: 'victorialogs' as const, url: 'http://logs.example:9428' }, /only to this machine/],
    [{ kind: 'victorialogs' as const, url: 'https://user:pw@logs.example' }, /not in the URL/],
    [{ kind: 'victorialogs' as const, url: 'ftp://x' }, /must be https/],
    [{ kind: 'victorialogs' as const, url: 'https://l', streamFilter: 'cluster=prod' }, /must look like/],
    [{ kind: 'victorialogs' as const, url: 'https://l', streamFilter: '{cluster="a" or 1}' }, /name="value"/],
    [{ kind: 'victorialogs' as const, url: 'https://l', streamFilter: '{action="read"}' }, /event field/],
    [{ kind: 'victorialogs' as const, url: 'https://l', authKind: 'header' as const, credential: 'x' }, /header name/],
    [{ kind: 'victorialogs' as const, url: 'https://l', authKind: 'basic' as const, credential: 'x' }, /user name/],
    [{ kind: 'victorialogs' as const, url: 'https://l', caPem: 'not a pem' }, /PEM/],
    // A credential Node would refuse to put in a header (it crashed main's request path before).
    [{ kind: 'victorialogs' as const, url: 'https://l', authKind: 'bearer' as const, credential: 'tok-secret-1\nX-Injected: 1' }, /character an HTTP header cannot carry/],
    [{ kind: 'victorialogs' as const, url: 'https://l', authKind: 'bearer' as const, credential: 'tok-secret-€' }, /character an HTTP header cannot carry/],
    [{ kind: 'victorialogs' as const, url: 'https://l', authKind: 'header' as const, authHeader: 'X-Token', credential: 'tok-secret-\u0000' }, /character an HTTP header cannot carry/],
    [{ kind: 'victorialogs' as const, url: 'https://l', authKind: 'header' as const, authHeader: 'X Token: 1', credential: 'v' }, /header name may hold/],
    [{ kind: 'victorialogs' as const, url: 'https://l', authKind: 'basic' as const, authUser: 'a:b', credential: 'v' }, /cannot hold a colon/],
  ])('refuses %j and changes nothing', async (input, message) => {
    const { settings, secrets } = setup();
    await settings.set({ kind: 'victorialogs', url: 'https://ok.example', authKind: 'bearer', credential: 'first-token' });
    const before = await settings.view();
    const err = await settings.set(input).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(message);
    // The refused credential is never quoted back.
    expect(err?.message).not.toContain('tok-secret');
    expect(await settings.view()).toEqual(before);
    expect(await secrets.get(credentialAccount('p1'))).toBe('first-token');
  });

  it('an auth setting without a credential anywhere is refused', async () => {
    const { settings } = setup();
    await expect(settings.set({ kind: 'victorialogs', url: 'https://l', authKind: 'bearer' })).rejects.toThrow(/token or password/);
    expect((await settings.view()).kind).toBe('local');
  });

  it('auth headers: bearer, basic, a named header; none without a credential', () => {
    expect(authHeaderOf({ authKind: 'bearer', authUser: null, authHeader: null }, 't')).toEqual({ authorization: 'Bearer t' });
    expect(authHeaderOf({ authKind: 'basic', authUser: 'u', authHeader: null }, 'p')).toEqual({ authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
    expect(authHeaderOf({ authKind: 'header', authUser: null, authHeader: 'X-Scope-Token' }, 'v')).toEqual({ 'x-scope-token': 'v' });
    expect(() => authHeaderOf({ authKind: 'bearer', authUser: null, authHeader: null }, null)).toThrow(/keychain has none/);
  });
});

describe('LogsQL from a filter', () => {
  it('quotes every value; a hostile value stays one literal', () => {
    const q = filterQuery({ tenant: 't-1" or *', user: 'Carol', text: 'a"b\\c*' }, { vault_cluster: 'prod' }).q;
    expect(q).toBe(`{vault_cluster="prod"} ${OURS} tenant:="t-1\\" or *" user:="carol" _msg:*"a\\"b\\\\c*"*`);
    expect(quote('\ud800x')).toBe('"\ufffdx"');
  });

  it('stream filters: only name="value" pairs of a small alphabet', () => {
    expect(parseStreamFilter('{vault_cluster="prod-eu", dc="fra1"}')).toEqual({ vault_cluster: 'prod-eu', dc: 'fra1' });
    expect(parseStreamFilter('')).toEqual({});
    expect(() => parseStreamFilter('{a="x"} | delete')).toThrow();
    expect(() => parseStreamFilter('{a="x\\" or b"}')).toThrow();
  });

  it('alert windows: candidate ranges reach one window either side of each bucket, merged per identity', () => {
    expect(candidateRanges([{ key: 'u', start: 60_000, windowMs: 60_000 }, { key: 'u', start: 120_000, windowMs: 60_000 }, { key: 'v', start: 0, windowMs: 60_000 }], 0, 1e9)).toEqual([
      { key: 'u', ranges: [[0, 240_000]] },
      { key: 'v', ranges: [[0, 120_000]] },
    ]);
  });
});
