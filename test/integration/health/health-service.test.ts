// The health dashboard's service and break-glass against the real OpenBao (raft,
// 5 shares / threshold 3) and the real keychain (run under with-keyring.sh).
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { NoBackupStatusSource } from '../../../src/main/services/health/backup-status';
import { BreakGlass } from '../../../src/main/services/health/break-glass';
import { CANARY_PATH, storageCanary } from '../../../src/main/services/health/canary';
import { HealthService } from '../../../src/main/services/health/health-service';
import { KeytarSecretStore } from '../../../src/main/services/keychain/keychain.keytar';
import { MetricsSampler } from '../../../src/main/services/metrics/metrics-sampler';
import { SessionService } from '../../../src/main/services/session/session-service';
import { systemClock } from '../../../src/main/services/time/clock';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { sealOpenBao, unsealOpenBao } from '../../services/openbao/openbao';
import { health } from '../../services/openbao/openbao-api';
import { freeLoopbackPort, waitFor } from '../../services/openbao/process';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';

let s: ServicesState;
let anon: VaultClient;
const store = new KeytarSecretStore({ service: `vault-console-it-health-${process.pid}` });
const sessions: SessionService[] = [];

function newSession(addr = s.openbao.addr): SessionService {
  const session = new SessionService({ store, clock: systemClock }, connectionFromEnv({ VAULT_ADDR: addr }), `health-${sessions.length}`);
  sessions.push(session);
  return session;
}

function healthFor(session: SessionService, client: VaultClient = anon): HealthService {
  return new HealthService({ vault: () => client, session, backup: new NoBackupStatusSource(), clock: systemClock });
}

async function sealStatus() {
  return (await baoFetch<{ sealed: boolean; progress: number }>(s, 'GET', 'sys/seal-status', { token: null })).body;
}

beforeAll(async () => {
  s = await loadTestServices();
  anon = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }));
});

afterEach(async () => {
  // Never leave the shared server sealed or half-unsealed for the next test.
  await baoFetch(s, 'PUT', 'sys/unseal', { token: null, body: { reset: true } });
  if ((await sealStatus()).sealed) await unsealOpenBao(s.openbao);
  // Unsealed is not yet active: raft must elect the node leader before the next test.
  await waitFor('OpenBao active', async () => (await health(s.openbao.addr)).status === 200, { timeoutMs: 30_000 });
});

afterAll(async () => {
  for (const session of sessions) await session.logout().catch(() => undefined);
  anon.close();
});

describe('health snapshot', () => {
  it('signed out: seal, leader and storage type from unauthenticated endpoints, the rest says "Sign in for more."', async () => {
    const snap = await healthFor(newSession()).snapshot();
    expect(snap.signedIn).toBe(false);
    expect(snap.status).toMatchObject({ reachable: true, sealed: false, version: s.openbao.version });
    expect(snap.node).toMatchObject({ tone: 'green', haEnabled: true, isSelf: true, leaderAddress: s.openbao.addr, nodes: [] });
    expect(snap.node.unavailable).toBe('HA nodes: Sign in for more.');
    expect(snap.storage).toMatchObject({ type: 'raft', tone: 'neutral', method: 'none', unavailable: 'Storage health: Sign in for more.' });
    expect(snap.audit).toMatchObject({ tone: 'neutral', unavailable: 'Audit devices: Sign in for more.' });
    expect(snap.backup.lastBackup).toMatchObject({ tone: 'red', label: 'No backup recorded' });
    expect(snap.backup.health).toMatchObject({ tone: 'red', label: 'Critical' });
    expect(snap.overall).toBe('red');
  });

  it('signed in as admin: HA nodes, raft autopilot health, audit devices with a warning for fewer than two', async () => {
    const session = newSession();
    await session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const snap = await healthFor(session).snapshot();
    expect(snap.signedIn).toBe(true);
    expect(snap.node.nodes).toEqual([expect.objectContaining({ apiAddress: s.openbao.addr, active: true })]);
    expect(snap.node.unavailable).toBeNull();
    expect(snap.storage).toMatchObject({ type: 'raft', method: 'autopilot', tone: 'green', label: 'Raft (integrated storage): healthy' });
    expect(snap.storage.autopilot).toMatchObject({ healthy: true, voters: 1, servers: 1 });
    // The test server has one file audit device: the spec wants two (file and syslog).
    expect(snap.audit.devices).toEqual([expect.objectContaining({ path: 'file/', type: 'file' })]);
    expect(snap.audit.tone).toBe('amber');
    expect(snap.audit.detail).toMatch(/Fewer than two audit devices/);
  });

  it('a policy without autopilot access judges storage by a canary write-and-read round trip', async () => {
    const session = newSession();
    // The tenant user has only the tenant policy (and default, which covers its cubbyhole).
    await session.loginUserpass(s.openbao.users.tenant!.username, s.openbao.users.tenant!.password);
    const snap = await healthFor(session).snapshot();
    expect(snap.storage).toMatchObject({ method: 'canary', tone: 'green' });
    expect(snap.storage.canaryLatencyMs).toBeGreaterThan(0);
    expect(snap.node.unavailable).toMatch(/does not allow reading sys\/ha-status/);
    expect(snap.audit.unavailable).toMatch(/does not allow reading sys\/audit/);
  });

  it('the canary writes to the token\'s own cubbyhole and reads its nonce back', async () => {
    const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
    try {
      const r = await storageCanary(root, Date.now);
      expect(r.latencyMs).toBeGreaterThan(0);
      const back = await root.request<{ data: { nonce: string } }>('GET', CANARY_PATH);
      expect(back.data.nonce).toMatch(/^[0-9a-f]{24}$/);
    } finally {
      root.close();
    }
  });

  it('a sealed Vault makes the seal and node cards red and leaves storage health unknown', async () => {
    await sealOpenBao(s.openbao);
    const session = newSession();
    const snap = await healthFor(session).snapshot();
    expect(snap.status.sealed).toBe(true);
    expect(snap.node).toMatchObject({ tone: 'red', label: '—' });
    expect(snap.storage).toMatchObject({ tone: 'neutral', type: 'raft' });
    expect(snap.overall).toBe('red');
  });

  it('an address where nothing listens shows every Vault card as unreachable', async () => {
    const dead = createVaultClient(connectionFromEnv({ VAULT_ADDR: `http://127.0.0.1:${await freeLoopbackPort()}` }));
    try {
      const snap = await healthFor(newSession(), dead).snapshot();
      expect(snap.status.reachable).toBe(false);
      expect(snap.node).toMatchObject({ tone: 'red', label: 'Unreachable' });
      expect(snap.node.detail).toMatch(/ECONNREFUSED/);
      expect(snap.storage).toMatchObject({ tone: 'red', label: 'Unreachable' });
      expect(snap.overall).toBe('red');
    } finally {
      dead.close();
    }
  });
});

describe('break-glass', () => {
  const glass = () => new BreakGlass({ vault: () => anon, session: newSession(), clock: systemClock });

  it('unseals with 3 of 5 shares, showing progress n of threshold', async () => {
    await sealOpenBao(s.openbao);
    const bg = glass();
    const keys = s.openbao.unsealKeys;
    expect((await bg.unseal(keys[4]!)).unseal).toMatchObject({ progress: 1, threshold: 3, shares: 5 });
    expect((await bg.unseal(keys[2]!)).unseal.progress).toBe(2);
    const done = await bg.unseal(keys[0]!);
    expect(done.sealed).toBe(false);
  });

  it('a malformed share gives a clear error and leaves progress as it was', async () => {
    await sealOpenBao(s.openbao);
    const bg = glass();
    await bg.unseal(s.openbao.unsealKeys[0]!);
    await expect(bg.unseal('this is not a key share')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/not an unseal key share/) });
    await expect(bg.unseal(randomBytes(40).toString('base64'))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    // A well-formed share of another length than the one already entered never reaches Vault.
    await expect(bg.unseal(randomBytes(20).toString('base64'))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/does not match .* progress is unchanged at 1 of 3/),
    });
    expect(await sealStatus()).toMatchObject({ sealed: true, progress: 1 });
  });

  it('a wrong share that completes the threshold says so: Vault reset the progress', async () => {
    await sealOpenBao(s.openbao);
    const bg = glass();
    await bg.unseal(s.openbao.unsealKeys[0]!);
    await bg.unseal(s.openbao.unsealKeys[1]!);
    await expect(bg.unseal(randomBytes(33).toString('base64'))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/did not unseal Vault: at least one is wrong.*reset the progress to 0 of 3/),
    });
    expect(await sealStatus()).toMatchObject({ sealed: true, progress: 0 });
  });

  it('reset clears the unseal progress', async () => {
    await sealOpenBao(s.openbao);
    const bg = glass();
    await bg.unseal(s.openbao.unsealKeys[3]!);
    expect((await bg.resetUnseal()).unseal.progress).toBe(0);
  });

  it('sealing needs the typed cluster name, a session, and a token allowed to seal', async () => {
    const status = await healthFor(newSession()).snapshot();
    const name = status.status.clusterName;
    expect(name).not.toBe('');

    const signedOut = new BreakGlass({ vault: () => anon, session: newSession(), clock: systemClock });
    await expect(signedOut.seal('wrong-name')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(name) });
    await expect(signedOut.seal(name)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    const auditor = newSession();
    await auditor.loginUserpass(s.openbao.users.auditor.username, s.openbao.users.auditor.password);
    await expect(new BreakGlass({ vault: () => anon, session: auditor, clock: systemClock }).seal(name)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect((await sealStatus()).sealed).toBe(false);

    const admin = newSession();
    await admin.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const sealed = await new BreakGlass({ vault: () => anon, session: admin, clock: systemClock }).seal(name);
    expect(sealed.sealed).toBe(true);
  });
});

describe('metrics sampler', () => {
  it('samples sys/metrics in Prometheus format and derives a request rate', async () => {
    const session = newSession();
    await session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const sampler = new MetricsSampler({ session, clock: systemClock, intervalMs: 1000 });
    await sampler.sample();
    for (let i = 0; i < 5; i++) await session.requireClient().request('GET', 'auth/token/lookup-self');
    await new Promise((r) => setTimeout(r, 300));
    await sampler.sample();
    const series = sampler.series();
    expect(series.problem).toBeNull();
    expect(series.samples).toHaveLength(2);
    expect(series.samples[1]!.requestRate).toBeGreaterThan(0);
  });
});
