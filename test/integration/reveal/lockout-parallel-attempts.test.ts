// Security regression (issue 13, item 6): the reveal lockout was checked before the Vault
// calls and recorded after, so parallel reveal:verify calls all went through; and it was
// keyed by profile id, so a new profile to the same Vault started at zero. Now an attempt
// is reserved atomically before any Vault call, per Vault address and Vault username.
// Counted where it counts: the login requests OpenBao's own audit log recorded.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers } from '../../../src/main/handlers/types';
import { composeApp, loginsSeenByVault, type AppComposition } from '../helpers/app-composition';
import { loadTestServices, type ServicesState } from '../helpers/services';
import type { Services } from '../../../src/main/services/container';
import { enrolThroughGrant } from '../enrolment/enrolment-fixtures';
import { createRevealUser, rootCaller } from './reveal-fixtures';

let s: ServicesState;
let user: { username: string; password: string };
let app: AppComposition;
let services: Services;
let handlers: Handlers;

/** Where OpenBao's audit log ends now: count what it records after this point. */
const auditMark = (): number => statSync(s.openbao.auditLogPath).size;


beforeAll(async () => {
  s = await loadTestServices();
  user = await createRevealUser(rootCaller(s.openbao.addr, s.openbao.rootToken), 'lockout-race');
  app = composeApp(s, 'lockout-race');
  ({ services, handlers } = app);
  await services.session.loginUserpass(user.username, user.password);
}, 60_000);

afterAll(async () => {
  await app?.dispose();
});

describe('the reveal lockout holds against parallel attempts and new profiles', () => {
  it('20 parallel wrong attempts through reveal:verify: at most 5 reach Vault, then reveals are locked', async () => {
    const since = auditMark();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => handlers['reveal:verify']({ tenantId: 't-000001', password: 'wrong-password-guess', code: '123456' })),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // Vault's own record, not the console's word.
    const seen = loginsSeenByVault(s.openbao.auditLogPath, user.username, since);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(5);
    const status = await handlers['reveal:status']({});
    expect(status.lockedUntil).not.toBeNull();
    // Even the right password is not tried now.
    await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: user.password, code: '123456' })).rejects.toThrow(/locked until/);
    expect(loginsSeenByVault(s.openbao.auditLogPath, user.username, since)).toBe(seen);
  });

  it('a new profile to the same Vault (address spelt differently) starts locked too', async () => {
    // Another user, locked by wrong 2FA codes (right password: Vault's own userpass lockout stays out of it).
    const other = await createRevealUser(rootCaller(s.openbao.addr, s.openbao.rootToken), 'lockout-profile');
    const { codes } = await enrolThroughGrant({ addr: s.openbao.addr, rootToken: s.openbao.rootToken, kvMount: s.openbao.kvMount, grantee: other });
    await services.session.loginUserpass(other.username, other.password);
    for (let i = 0; i < 4; i++) {
      await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: other.password, code: await codes.wrong(i) })).rejects.toThrow('Wrong 2FA code.');
    }
    await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: other.password, code: await codes.wrong(4) })).rejects.toThrow(/locked until/);

    const p = services.profiles.save({ name: 'Same Vault again', address: `${s.openbao.addr.replace('http://', 'HTTP://')}/`, minTls: 'TLSv1.3', kvMount: s.openbao.kvMount });
    await services.switchProfile(p.id);
    await services.session.loginUserpass(other.username, other.password);
    expect(services.session.info().profileId).toBe(p.id);
    const since = auditMark();
    await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: other.password, code: await codes.valid() })).rejects.toThrow(/locked until/);
    expect((await handlers['reveal:status']({})).lockedUntil).not.toBeNull();
    // Locked before any Vault call: no login reached OpenBao from the new profile.
    expect(loginsSeenByVault(s.openbao.auditLogPath, other.username, since)).toBe(0);
  });
});
