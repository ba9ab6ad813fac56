// Security regression (red team, after issue 13 item 6): the reveal lockout was keyed by the
// profile's address as a URL origin, so the same Vault reached under another name
// (http://localhost:PORT for http://127.0.0.1:PORT, a second DNS name, the IP) started at zero:
// five more 2FA guesses per alias, per quarter hour. The lockout now counts per Vault identity
// (the entity id Vault reports for the signed-in user), whatever address reaches it.
// Judged by OpenBao's own audit log: no login from the alias reaches Vault while locked.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers } from '../../../src/main/handlers/types';
import { composeApp, loginsSeenByVault, type AppComposition } from '../helpers/app-composition';
import { loadTestServices, type ServicesState } from '../helpers/services';
import type { Services } from '../../../src/main/services/container';
import { enrolThroughGrant } from '../enrolment/enrolment-fixtures';
import { createRevealUser, rootCaller } from './reveal-fixtures';

let s: ServicesState;
let app: AppComposition;
let services: Services;
let handlers: Handlers;

const auditMark = (): number => statSync(s.openbao.auditLogPath).size;


beforeAll(async () => {
  s = await loadTestServices();
  app = composeApp(s, 'lockout-alias');
  ({ services, handlers } = app);
}, 60_000);

afterAll(async () => {
  await app?.dispose();
});

describe('the reveal lockout follows the Vault identity, not the address spelling', () => {
  it('locked through 127.0.0.1, still locked through localhost (same OpenBao): no login reaches Vault', async () => {
    const user = await createRevealUser(rootCaller(s.openbao.addr, s.openbao.rootToken), 'lockout-alias');
    const { codes } = await enrolThroughGrant({ addr: s.openbao.addr, rootToken: s.openbao.rootToken, kvMount: s.openbao.kvMount, grantee: user });
    await services.session.loginUserpass(user.username, user.password);
    for (let i = 0; i < 4; i++) {
      await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: user.password, code: await codes.wrong(i) })).rejects.toThrow('Wrong 2FA code.');
    }
    await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: user.password, code: await codes.wrong(4) })).rejects.toThrow(/locked until/);

    const alias = s.openbao.addr.replace('127.0.0.1', 'localhost');
    expect(alias).not.toBe(s.openbao.addr);
    const p = services.profiles.save({ name: 'Same Vault, other name', address: alias, minTls: 'TLSv1.3', kvMount: s.openbao.kvMount });
    await services.switchProfile(p.id);
    await services.session.loginUserpass(user.username, user.password);
    expect(services.session.info().address).toBe(alias);
    expect((await handlers['reveal:status']({})).lockedUntil).not.toBeNull();
    const since = auditMark();
    // Even the right password and a valid code are not tried.
    await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: user.password, code: await codes.valid() })).rejects.toThrow(/locked until/);
    expect(loginsSeenByVault(s.openbao.auditLogPath, user.username, since)).toBe(0);
  });
});
