// The audit feature's newer detectors page through the watcher too (main's audit work:
// Vault's record decides every event). A change that can blind the audit trail (here: an
// audited request header added and removed by root, real requests against OpenBao, read
// back from its file audit log) pages audit-sys-critical once, as an error, naming what
// Vault did and who; a second such change in the same hour stays that one page.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess } from './support/watch-fixtures';

let s: ServicesState;
let rx: PagerDutyReceiver;
let watcher: WatcherProcess;
const header = `x-watch-test-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  s = await loadTestServices();
  const files = await watchFiles({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
  watcher = await startWatcher({ bao: { addr: s.openbao.addr, auditLogPath: s.openbao.auditLogPath }, files, eventsUrl: rx.url });
  await watcherReady(watcher);
}, 120_000);

afterAll(async () => {
  await baoFetch(s, 'DELETE', `sys/config/auditing/request-headers/${header}`).catch(() => undefined);
  await watcher?.stop();
  await rx?.stop();
});

describe('watch: the audit detectors', () => {
  it('an audited-header change by root pages audit-sys-critical once (error), with what Vault did', async () => {
    const r = await baoFetch(s, 'POST', `sys/config/auditing/request-headers/${header}`, { body: { hmac: false } });
    expect(r.status).toBeLessThan(300);
    // Alerts computed on a large shared log may be reused for up to 60 s (AuditAlerts caps its
    // cost at a tenth of the process's time), so the page can follow by that much on a loaded machine.
    const ev = await rx.waitFor((e) => e.action === 'trigger' && (e.dedupKey ?? '').endsWith('/audit-sys-critical'), 90_000, 'sys-critical trigger');
    expect(ev.valid, ev.problems.join('; ')).toBe(true);
    expect(ev.severity).toBe('error');
    expect(ev.summary).toContain('sys/config/auditing/request-headers');
    const details = (ev.body!.payload as { custom_details: { rule: string; console_link: string } }).custom_details;
    expect(details.rule).toBe('sys-critical');
    expect(details.console_link).toContain('view=audit');

    // Undoing it is another such change: still the one open page.
    expect((await baoFetch(s, 'DELETE', `sys/config/auditing/request-headers/${header}`)).status).toBeLessThan(300);
    await new Promise((res) => setTimeout(res, 5_000));
    expect(rx.events.filter((e) => e.action === 'trigger' && (e.dedupKey ?? '').endsWith('/audit-sys-critical'))).toHaveLength(1);
    expect(await watcher.sample('vault_console_suspicious_activity_alerts_total', 'rule="sys-critical"')).toBeGreaterThanOrEqual(1);
    expect(await watcher.sample('vault_console_watch_condition_active', 'condition="audit-sys-critical"')).toBe(1);
  }, 150_000);
});
