// Attack (issue 12, item 3): when the caller had no username metadata (root, or any
// token), the event's user was taken from the *new* token in response.auth: root's
// auth/token/create with meta.username=alice was stored as alice. The user of an event
// is the identity that made the request; a response's auth names the user only for a
// successful login. Token-store tokens carry whatever metadata their creator chose, so
// their metadata never names anyone.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section D.
import { beforeAll, describe, expect, it } from 'vitest';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

describe('token creation is credited to whoever created the token', () => {
  it("root's auth/token/create with meta.username=alice is root's", () => {
    const creates = allEvents(l.audit).filter((e) => e.path === 'auth/token/create');
    const byRoot = creates.find((e) => e.user === 'root');
    expect(byRoot).toMatchObject({ action: 'other', entityId: null });
    expect(creates.some((e) => e.user === 'alice')).toBe(false);
  });

  it("the minted token's reads are the token's (no identity), never alice's", () => {
    const read = allEvents(l.audit).find((e) => e.path === 'tenants/data/t-000401/ssh/admin' && e.action === 'read')!;
    expect(read).toMatchObject({ user: 'token', entityId: null });
    expect(l.audit.repo.page({ user: 'alice' }, null, 10).events).toHaveLength(0);
  });

  it("a child token admin names \"alice\" (with meta.username=alice) stays admin's entity", () => {
    const admin = allEvents(l.audit).find((e) => e.action === 'login' && e.user === 'admin')!;
    const read = allEvents(l.audit).find((e) => e.path === 'tenants/data/t-000402/ssh/admin' && e.action === 'read')!;
    expect(read).toMatchObject({ user: 'token-alice', entityId: admin.entityId });
  });

  it('a successful login is credited to the identity it signed in (from the response)', () => {
    const logins = allEvents(l.audit).filter((e) => e.action === 'login').map((e) => e.user);
    expect(logins).toEqual(expect.arrayContaining(['admin', 'auditor', 'bulkreader', 'alice-admin', 'bob-admin', 'reader10']));
  });
});
