// Attack (issue 12, item 4): userpass names are case-insensitive in Vault, so carol,
// Carol, CAROL, ... from six addresses lock carol out (Vault answers 403 on the sixth)
// while the console, counting each spelling and each address apart, raised no alert.
// Failed sign-ins are counted per case-folded name and auth mount whatever the
// address, per address, and across names (password spraying).
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, sections E and I11.
import { beforeAll, describe, expect, it } from 'vitest';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

describe('failed sign-ins are counted as Vault counts them', () => {
  it('six spellings of carol from six addresses are six failures of one name (Vault locked the sixth out)', () => {
    const fails = allEvents(l.audit).filter((e) => e.action === 'failed-login' && /login\/carol$/i.test(e.path));
    expect(fails.map((e) => e.path.split('/').pop())).toEqual(['carol', 'Carol', 'CAROL', 'cArol', 'caRol', 'carOL']);
    expect(new Set(fails.map((e) => e.user))).toEqual(new Set(['carol']));
    expect(new Set(fails.map((e) => e.ip)).size).toBe(6);
    expect(fails.at(-1)!.error).toMatch(/permission denied/);
  });

  it('raise one red alert for carol on auth/userpass/, listing all six', async () => {
    const r = await l.audit.alerts({ user: 'CAROL' });
    const a = r.alerts.find((x) => x.kind === 'failed-auth-user')!;
    expect(a).toMatchObject({ severity: 'red', subject: 'carol', eventCount: 6 });
    expect(a.detail).toMatch(/on auth\/userpass\/, from 6 addresses/);
  });

  it('six names from six addresses on one mount is password spraying: red', async () => {
    const r = await l.audit.alerts({});
    const spray = r.alerts.filter((x) => x.kind === 'failed-auth-spray');
    expect(spray.some((a) => a.subject === 'auth/userpass/' && a.users.includes('spray-0') && a.users.includes('spray-5'))).toBe(true);
  });

  it('AppRole logins name no one (the role id is in the HMAC\'d body): six failures from six addresses are still red', async () => {
    const fails = allEvents(l.audit).filter((e) => e.action === 'failed-login' && e.path === 'auth/approle/login');
    expect(fails).toHaveLength(6);
    expect(new Set(fails.map((e) => e.ip)).size).toBe(6);
    const r = await l.audit.alerts({});
    const a = r.alerts.find((x) => x.kind === 'failed-auth-user' && x.subject === '(no name)')!;
    expect(a).toMatchObject({ severity: 'red', eventCount: 6 });
    expect(a.detail).toMatch(/on auth\/approle\/, from 6 addresses/);
  });
});
