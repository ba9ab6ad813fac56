// The PagerDuty outbox against a local Events API v2 receiver: 429 (with Retry-After)
// then 500 then 202 delivers the page once, waiting as asked; a watcher killed with
// SIGKILL while a page is undelivered delivers it after its restart, once, and does not
// page the still-sealed Vault a second time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baoRequest, health } from '../../services/openbao/openbao-api';
import { startOpenBao, unsealOpenBao, type OpenBaoInstance } from '../../services/openbao/openbao';
import { waitFor } from '../../services/openbao/process';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess, type WatchFiles } from './support/watch-fixtures';

let bao: OpenBaoInstance;
let files: WatchFiles;
const watchers: WatcherProcess[] = [];
const receivers: PagerDutyReceiver[] = [];

async function seal(): Promise<void> {
  await baoRequest(bao.addr, 'PUT', 'sys/seal', { token: bao.rootToken });
  await waitFor('sealed', async () => (await health(bao.addr)).sealed, { timeoutMs: 15_000 });
}

async function watcher(eventsUrl: string, dataDir = files.dataDir): Promise<WatcherProcess> {
  const w = await startWatcher({ bao, files: { ...files, dataDir }, eventsUrl });
  watchers.push(w);
  await watcherReady(w);
  return w;
}

beforeAll(async () => {
  bao = await startOpenBao();
  files = await watchFiles(bao);
}, 180_000);

afterAll(async () => {
  for (const w of watchers) await w.stop();
  for (const r of receivers) await r.stop();
  if ((await health(bao.addr).catch(() => null))?.sealed) await unsealOpenBao(bao);
  await bao?.stop({ removeData: true });
});

describe('watch: PagerDuty outbox delivery', () => {
  it('429 (Retry-After: 2) then 500 then 202 delivers the trigger once, after waiting as asked', async () => {
    const rx = new PagerDutyReceiver(files.routingKey);
    receivers.push(rx);
    await rx.start();
    rx.answer({ status: 429, retryAfter: '2' }, { status: 500 });
    const w = await watcher(rx.url, `${files.dir}/data-retry`);
    await seal();
    await rx.waitFor((e) => e.status === 202 && e.action === 'trigger', 60_000, 'accepted trigger');
    const triggers = rx.events.filter((e) => e.action === 'trigger');
    expect(triggers.map((e) => e.status)).toEqual([429, 500, 202]);
    expect(triggers.every((e) => e.valid)).toBe(true);
    // The same event each time (same dedup_key), and no earlier than Retry-After asked.
    expect(new Set(triggers.map((e) => e.dedupKey)).size).toBe(1);
    expect(triggers[1]!.at - triggers[0]!.at).toBeGreaterThanOrEqual(1_900);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(rx.events.filter((e) => e.action === 'trigger')).toHaveLength(3);
    expect(rx.accepted()).toHaveLength(1);
    expect(await w.sample('vault_console_pagerduty_events_total', 'action="trigger",result="retried"')).toBe(2);
    expect(await w.sample('vault_console_pagerduty_events_total', 'action="trigger",result="delivered"')).toBe(1);
    expect(await w.sample('vault_console_pagerduty_outbox_pending')).toBe(0);

    await unsealOpenBao(bao);
    await rx.waitFor((e) => e.action === 'resolve' && e.status === 202, 30_000, 'resolve');
    expect(rx.accepted()).toHaveLength(2);
    await w.stop();
  }, 180_000);

  it('a page undelivered when the watcher is SIGKILLed is delivered after the restart, once', async () => {
    // A receiver that is down: its port is known, nothing listens yet.
    const rx = new PagerDutyReceiver(files.routingKey);
    receivers.push(rx);
    await rx.start();
    const port = rx.port;
    const url = rx.url;
    await rx.stop();

    const dataDir = `${files.dir}/data-kill`;
    const first = await watcher(url, dataDir);
    await seal();
    await first.waitForLog(/trigger vault-sealed \(event \d+\) not delivered/, 30_000);
    expect(await first.sample('vault_console_pagerduty_outbox_pending')).toBe(1);
    await first.kill();
    expect(first.signal).toBe('SIGKILL');

    await rx.start(port);
    const second = await watcher(url, dataDir);
    const ev = await rx.waitFor((e) => e.action === 'trigger', 30_000, 'trigger after restart');
    expect(ev.valid, ev.problems.join('; ')).toBe(true);
    expect(ev.status).toBe(202);
    expect(second.log()).toMatch(/1 event\(s\) waiting, 1 condition\(s\) open/);
    // Still sealed for several more polls: the condition was already open, no second page.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(rx.events.filter((e) => e.action === 'trigger')).toHaveLength(1);

    await unsealOpenBao(bao);
    const res = await rx.waitFor((e) => e.action === 'resolve', 30_000, 'resolve');
    expect(res.dedupKey).toBe(ev.dedupKey);
    expect(rx.accepted()).toHaveLength(2);
  }, 180_000);
});
