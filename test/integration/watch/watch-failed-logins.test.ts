// Six failed sign-ins within a minute (real userpass logins against OpenBao, read back
// from its file audit log by the watcher's tail and judged by the audit feature's own
// detector) page once, as an error, with what was seen; the counters see all six.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess } from './support/watch-fixtures';

let s: ServicesState;
let rx: PagerDutyReceiver;
let watcher: WatcherProcess;

beforeAll(async () => {
  s = await loadTestServices();
  const files = await watchFiles({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
  watcher = await startWatcher({ bao: { addr: s.openbao.addr, auditLogPath: s.openbao.auditLogPath }, files, eventsUrl: rx.url });
  await watcherReady(watcher);
}, 120_000);

afterAll(async () => {
  await watcher?.stop();
  await rx?.stop();
});

describe('watch: failed authentications', () => {
  it('six failed logins in a minute page once (error), with the detector’s finding', async () => {
    // A name that exists nowhere: a real admin would be locked out by Vault's own lockout.
    const who = `mallory-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 6; i++) {
      const r = await baoFetch(s, 'POST', `auth/userpass/login/${who}`, { token: null, body: { password: `guess-${i}` } });
      expect(r.status).toBeGreaterThanOrEqual(400);
    }
    const ev = await rx.waitFor((e) => e.action === 'trigger' && e.condition === 'audit-failed-auth', 30_000, 'failed-auth trigger');
    expect(ev.valid, ev.problems.join('; ')).toBe(true);
    expect(ev.dedupKey).toMatch(/\/audit-failed-auth$/);
    expect(ev.severity).toBe('error');
    expect(ev.summary).toContain(who);
    const details = (ev.body!.payload as { custom_details: { rule: string; alerts: { event_count: number }[] } }).custom_details;
    expect(details.rule).toBe('failed-auth');
    // The detector fires at its threshold (5): the page carries what the tail had read by then.
    expect(details.alerts[0]!.event_count).toBeGreaterThanOrEqual(5);
    expect(details.alerts[0]!.event_count).toBeLessThanOrEqual(6);

    // More polls, even more failures in the same burst: still one page.
    for (let i = 0; i < 3; i++) await baoFetch(s, 'POST', `auth/userpass/login/${who}`, { token: null, body: { password: 'again' } });
    await new Promise((r) => setTimeout(r, 5_000));
    expect(rx.triggers('audit-failed-auth')).toHaveLength(1);
    expect(await watcher.sample('vault_console_failed_logins_total')).toBeGreaterThanOrEqual(9);
    expect(await watcher.sample('vault_console_suspicious_activity_alerts_total', 'rule="failed-auth"')).toBeGreaterThanOrEqual(1);
    expect(await watcher.sample('vault_console_watch_condition_active', 'condition="audit-failed-auth"')).toBe(1);
  }, 90_000);
});
