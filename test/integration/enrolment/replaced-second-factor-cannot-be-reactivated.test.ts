// Security regression (red team, after issue 17 item 4): re-enrolment replaced the active
// key, but the replaced one stayed in Vault and its grant record stayed readable, and
// enrolment:confirm activated any grant made for you whose key accepted a code. So whoever
// holds the old authenticator (the lost or stolen phone that was the reason to re-enrol) and
// the password switched the console back to it with one confirm, no new grant, no other admin,
// and viewed credentials with the stolen phone. Now confirm activates only a grant this
// console opened (enrolment:begin, single use) for the same identity.
// Against the real services: OpenBao's TOTP engine, three admins, the app's composition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers } from '../../../src/main/handlers/types';
import { composeApp, type AppComposition } from '../helpers/app-composition';
import { loadTestServices, type ServicesState } from '../helpers/services';
import type { Services } from '../../../src/main/services/container';
import { createRevealUser, rootCaller, type CodeSource } from '../reveal/reveal-fixtures';
import { enrolThroughGrant, type Account } from './enrolment-fixtures';

let s: ServicesState;
let app: AppComposition;
let services: Services;
let handlers: Handlers;
let victim: Account;
let oldPhone: CodeSource;
let oldGrant: string;
let newGrant: string;

beforeAll(async () => {
  s = await loadTestServices();
  const call = rootCaller(s.openbao.addr, s.openbao.rootToken);
  victim = await createRevealUser(call, 'reenrolled');
  const env = { addr: s.openbao.addr, rootToken: s.openbao.rootToken, kvMount: s.openbao.kvMount, grantee: victim };
  // First factor, granted by one colleague: the phone that is later stolen.
  const first = await enrolThroughGrant(env);
  oldPhone = first.codes;
  oldGrant = first.grantId;
  // Re-enrolled through another colleague's grant (a new phone): the old factor is replaced.
  const second = await enrolThroughGrant(env);
  newGrant = second.grantId;
  app = composeApp(s, 'reenrol');
  ({ services, handlers } = app);
}, 120_000);

afterAll(async () => {
  await app?.dispose();
});

describe('a replaced second factor stays replaced', () => {
  it('the password and the old authenticator cannot switch the console back to the old key', async () => {
    // The attacker: the victim's password, the victim's old phone, a console of their own.
    await services.session.loginUserpass(victim.username, victim.password);
    const before = await handlers['enrolment:status']({});
    expect(before.active?.grantId).toBe(newGrant);
    // The old grant is still listed (its record stays in Vault), already opened.
    expect(before.grants.find((g) => g.grantId === oldGrant)?.state).toBe('opened');

    await expect(handlers['enrolment:confirm']({ grantId: oldGrant, code: await oldPhone.valid() })).rejects.toThrow(/opened/);
    const after = await handlers['enrolment:status']({});
    expect(after.active?.grantId).toBe(newGrant);
    // And the stolen phone does not view credentials.
    await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: victim.password, code: await oldPhone.valid() })).rejects.toThrow(/Wrong 2FA code/);
  });
});
