// Security regression (issue 13, item 6): the reveal lockout was checked before the Vault
// calls and recorded after, so parallel reveal:verify calls all went through; and it was
// keyed by profile id, so a new profile to the same Vault started at zero. Now an attempt
// is reserved atomically before any Vault call, per Vault address and Vault username.
// Counted where it counts: the login requests OpenBao's own audit log recorded.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../src/main/handlers';
import type { Handlers } from '../../../src/main/handlers/types';
import { createServices, type Services } from '../../../src/main/services/container';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { enrolThroughGrant } from '../enrolment/enrolment-fixtures';
import { createRevealUser, rootCaller } from './reveal-fixtures';

let s: ServicesState;
let user: { username: string; password: string };
let dir: string;
let services: Services;
let handlers: Handlers;

/** Where OpenBao's audit log ends now: count what it records after this point. */
const auditMark = (): number => statSync(s.openbao.auditLogPath).size;

/** Userpass login requests for `username` (any case) that OpenBao's audit log recorded after `mark`. */
function loginsSeenByVault(username: string, mark: number): number {
  const path = `auth/userpass/login/${username}`.toLowerCase();
  let n = 0;
  for (const line of readFileSync(s.openbao.auditLogPath).subarray(mark).toString('utf8').split('\n')) {
    if (!line.toLowerCase().includes(path)) continue;
    const e = JSON.parse(line) as { type?: string; request?: { path?: string } };
    if (e.type === 'request' && e.request?.path?.toLowerCase() === path) n++;
  }
  return n;
}

beforeAll(async () => {
  s = await loadTestServices();
  user = await createRevealUser(rootCaller(s.openbao.addr, s.openbao.rootToken), 'lockout-race');
  dir = mkdtempSync(join(tmpdir(), 'lockout-race-'));
  // The real composition (the same services the app and the harness build), one SQLite file.
  services = createServices({
    connection: { address: s.openbao.addr, minTlsVersion: 'TLSv1.3', kvMount: s.openbao.kvMount, timeoutMs: 10_000 },
    shell: 'harness',
    appVersion: 'test',
    platform: process.platform,
    dataDir: dir,
    secretStore: new MemorySecretStore(),
    openExternal: async () => undefined,
    events: { emit: () => undefined },
    autoSync: false,
  });
  handlers = createHandlers(services);
  await services.session.loginUserpass(user.username, user.password);
}, 60_000);

afterAll(async () => {
  await services?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the reveal lockout holds against parallel attempts and new profiles', () => {
  it('20 parallel wrong attempts through reveal:verify: at most 5 reach Vault, then reveals are locked', async () => {
    const since = auditMark();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => handlers['reveal:verify']({ tenantId: 't-000001', password: 'wrong-password-guess', code: '123456' })),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // Vault's own record, not the console's word.
    const seen = loginsSeenByVault(user.username, since);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(5);
    const status = await handlers['reveal:status']({});
    expect(status.lockedUntil).not.toBeNull();
    // Even the right password is not tried now.
    await expect(handlers['reveal:verify']({ tenantId: 't-000001', password: user.password, code: '123456' })).rejects.toThrow(/locked until/);
    expect(loginsSeenByVault(user.username, since)).toBe(seen);
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
    expect(loginsSeenByVault(other.username, since)).toBe(0);
  });
});
