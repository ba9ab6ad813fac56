// The heartbeat a running watcher writes into Vault, as the desktop app reads it for the
// Health view (WatchStatusService, the service behind watch:status): who runs, where,
// which version, seen when (Vault's clock), open pages; stale after 5 minutes; readable
// by the admin and the auditor, not by a tenant; a hostile heartbeat cannot inject.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/main/services/session/session-types';
import { WatchStatusService } from '../../../src/main/services/watch/watch-status';
import { baoRequest } from '../../services/openbao/openbao-api';
import { waitFor } from '../../services/openbao/process';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { adminSession } from './support/admin-session';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess } from './support/watch-fixtures';

let s: ServicesState;
let rx: PagerDutyReceiver;
let watcher: WatcherProcess;
const closers: (() => void)[] = [];

async function statusAs(user: { username: string; password: string } | null, offsetMs = 0) {
  let session: Session;
  if (user) {
    const a = await adminSession(s.openbao.addr, user);
    closers.push(a.close);
    session = a.session;
  } else {
    session = { info: () => ({}) as never, requireClient: () => { throw new Error('signed out'); }, onChange: () => () => undefined };
  }
  return new WatchStatusService({ session, clock: { now: () => Date.now() + offsetMs, setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined }, kvMount: () => s.openbao.kvMount }).status();
}

beforeAll(async () => {
  s = await loadTestServices();
  const files = await watchFiles({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
  watcher = await startWatcher({ bao: { addr: s.openbao.addr, auditLogPath: s.openbao.auditLogPath }, files, eventsUrl: rx.url, env: { VAULT_CONSOLE_WATCH_ID: 'ops-host-1' } });
  await watcherReady(watcher);
}, 120_000);

afterAll(async () => {
  await watcher?.stop();
  await rx?.stop();
  for (const c of closers) c();
});

describe('watch: heartbeat in Vault, read by the app', () => {
  it('the admin and the auditor see the running watcher: host, version, seen seconds ago, no open pages', async () => {
    await waitFor('a heartbeat', async () => (await statusAs(s.openbao.users.admin)).watchers.some((w) => w.id === 'ops-host-1'), { timeoutMs: 30_000 });
    for (const user of [s.openbao.users.admin, s.openbao.users.auditor]) {
      const st = await statusAs(user);
      expect(st.unavailable).toBeNull();
      const w = st.watchers.find((x) => x.id === 'ops-host-1')!;
      expect(w).toMatchObject({ version: '0.1.0', stale: false, openPages: [], outboxPending: 0, pollSeconds: 1 });
      expect(w.host.length).toBeGreaterThan(0);
      expect(w.ageSeconds).toBeLessThan(60);
      expect(st.stale).toBe(false);
    }
  }, 60_000);

  it('warns when no watcher has been seen for more than 5 minutes', async () => {
    const later = await statusAs(s.openbao.users.admin, 6 * 60_000);
    expect(later.stale).toBe(true);
    expect(later.watchers.find((x) => x.id === 'ops-host-1')!.stale).toBe(true);
    const soon = await statusAs(s.openbao.users.admin, 4 * 60_000);
    expect(soon.watchers.find((x) => x.id === 'ops-host-1')!.stale).toBe(false);
  }, 30_000);

  it('signed out or without the policy: a clear reason, no watcher list', async () => {
    const out = await statusAs(null);
    expect(out.unavailable).toMatch(/Sign in/);
    expect(out.stale).toBe(true);
    const tenant = await statusAs(s.openbao.users.tenant!);
    expect(tenant.watchers).toHaveLength(0);
    expect(tenant.unavailable).toMatch(/policy does not allow reading watcher heartbeats/);
  }, 30_000);

  it('a hostile heartbeat cannot inject: unknown conditions dropped, long text cut, last seen is Vault’s time', async () => {
    await baoRequest(s.openbao.addr, 'POST', `${s.openbao.kvMount}-watch/data/watchers/evil-host`, {
      token: s.openbao.rootToken,
      body: {
        data: {
          host: 'h'.repeat(100_000),
          version: '<script>alert(1)</script>'.repeat(10),
          last_seen: '2099-01-01T00:00:00Z',
          open_pages: [{ condition: 'rm -rf /', severity: 'critical', summary: 'x', since: 'now', silent: false }, { condition: 'vault-sealed', severity: 'critical', summary: 's'.repeat(5000), since: '2026-01-01T00:00:00Z', silent: false }, 'junk'],
          outbox_pending: -5,
        },
      },
    });
    const st = await statusAs(s.openbao.users.admin);
    const evil = st.watchers.find((w) => w.id === 'evil-host')!;
    expect(evil.host.length).toBeLessThanOrEqual(255);
    expect(evil.version.length).toBeLessThanOrEqual(64);
    expect(evil.openPages).toHaveLength(1);
    expect(evil.openPages[0]!.condition).toBe('vault-sealed');
    expect(evil.openPages[0]!.summary.length).toBeLessThanOrEqual(300);
    expect(evil.outboxPending).toBe(0);
    // Its claim of being seen in 2099 is ignored: Vault's own write time counts.
    expect(Date.parse(evil.lastSeenAt)).toBeLessThanOrEqual(Date.now() + 5_000);
    await baoRequest(s.openbao.addr, 'DELETE', `${s.openbao.kvMount}-watch/metadata/watchers/evil-host`, { token: s.openbao.rootToken });
  }, 30_000);
});
