// `vault-console watch` against a real OpenBao and a local Events API v2 receiver:
// a seal pages (critical) within one poll interval plus 2 s, ten polls while sealed are
// one page, the unseal resolves the same dedup_key; the console's own break-glass seal
// (announced with an incident id) pages as info, or not at all when so configured; a
// Vault restart shorter than the grace pages no one and the watcher carries on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/main/services/time/clock';
import { BreakGlass } from '../../../src/main/services/health/break-glass';
import { baoRequest, health } from '../../services/openbao/openbao-api';
import { startOpenBao, unsealOpenBao, type OpenBaoInstance } from '../../services/openbao/openbao';
import { waitFor } from '../../services/openbao/process';
import { adminSession } from './support/admin-session';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess, type WatchFiles } from './support/watch-fixtures';

const POLL_MS = 2_000;
let bao: OpenBaoInstance;
let files: WatchFiles;
let rx: PagerDutyReceiver;
let watcher: WatcherProcess | null = null;

async function seal(): Promise<number> {
  await baoRequest(bao.addr, 'PUT', 'sys/seal', { token: bao.rootToken });
  const at = Date.now();
  await waitFor('sealed', async () => (await health(bao.addr)).sealed, { timeoutMs: 15_000 });
  return at;
}

/** Waits until the watcher has polled Vault `n` more times (its last-check gauge moved n times). */
async function polls(w: WatcherProcess, n: number): Promise<void> {
  const seen = new Set<number>();
  const first = await w.sample('vault_console_vault_last_check_timestamp_seconds');
  if (first !== null) seen.add(first);
  const deadline = Date.now() + n * POLL_MS * 4 + 10_000;
  while (seen.size <= n) {
    if (Date.now() > deadline) throw new Error(`only ${seen.size - 1} polls seen`);
    await new Promise((r) => setTimeout(r, POLL_MS / 4));
    const v = await w.sample('vault_console_vault_last_check_timestamp_seconds');
    if (v !== null) seen.add(v);
  }
}

/** The watcher of the previous test, or a fresh one (a test run alone with -t). */
async function running(): Promise<WatcherProcess> {
  if (watcher?.alive) return watcher;
  watcher = await startWatcher({ bao, files, eventsUrl: rx.url, env: { VAULT_CONSOLE_WATCH_POLL_INTERVAL: `${POLL_MS}ms` } });
  await watcherReady(watcher);
  return watcher;
}

beforeAll(async () => {
  bao = await startOpenBao();
  files = await watchFiles(bao);
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
}, 180_000);

afterAll(async () => {
  await watcher?.stop();
  await rx?.stop();
  await bao?.stop({ removeData: true });
});

describe('watch: Vault seal pages', () => {
  it('pages a seal once (critical) within one poll interval plus 2 s, and resolves the same dedup_key on unseal', async () => {
    watcher = await startWatcher({ bao, files, eventsUrl: rx.url, env: { VAULT_CONSOLE_WATCH_POLL_INTERVAL: `${POLL_MS}ms` } });
    await watcherReady(watcher);
    await polls(watcher, 2);
    expect(rx.events).toHaveLength(0);

    const sealedAt = await seal();
    const trigger = await rx.waitFor((e) => e.action === 'trigger', 30_000, 'trigger');
    const latency = trigger.at - sealedAt;
    process.stderr.write(`[watch-seal] seal to page: ${latency} ms (poll interval ${POLL_MS} ms)\n`);
    // The deadline (one poll interval + 2 s), with room for a loaded 2-core machine; the bench reports the p95.
    expect(latency).toBeLessThan((POLL_MS + 2_000) * 3);
    expect(trigger.valid, trigger.problems.join('; ')).toBe(true);
    expect(trigger.status).toBe(202);
    expect(trigger.routingKey).toBe(files.routingKey);
    expect(trigger.severity).toBe('critical');
    expect(trigger.dedupKey).toBe(`vault-console/${new URL(bao.addr).host}/vault-sealed`);
    const payload = trigger.body!.payload as { source: string; custom_details: Record<string, unknown> };
    expect(payload.custom_details).toMatchObject({ condition: 'vault-sealed', vault_address: bao.addr, sealed: true });
    expect(String(payload.custom_details.console_link)).toContain('view=health');
    expect(trigger.body!.links).toEqual([expect.objectContaining({ href: expect.stringContaining('view=health') })]);

    // Ten polls while sealed: still one page.
    await polls(watcher, 10);
    expect(rx.events.filter((e) => e.action === 'trigger')).toHaveLength(1);
    expect(await watcher.sample('vault_console_vault_sealed')).toBe(1);
    expect(await watcher.sample('vault_console_watch_condition_active', 'condition="vault-sealed"')).toBe(1);

    await unsealOpenBao(bao);
    const resolve = await rx.waitFor((e) => e.action === 'resolve', 30_000, 'resolve');
    expect(resolve.valid, resolve.problems.join('; ')).toBe(true);
    expect(resolve.dedupKey).toBe(trigger.dedupKey);
    await polls(watcher, 2);
    expect(rx.accepted()).toHaveLength(2);
    expect(await watcher.sample('vault_console_vault_sealed')).toBe(0);
  }, 180_000);

  it("pages the console's break-glass seal (announced with its incident id) as info, naming the incident", async () => {
    await running();
    const before = rx.events.length;
    const admin = await adminSession(bao.addr, bao.users.admin);
    try {
      const bg = new BreakGlass({ vault: () => admin.anon, session: admin.session, clock: systemClock, sealIntentMount: () => `${bao.kvMount}-watch` });
      const status = await health(bao.addr);
      expect(status.sealed).toBe(false);
      const cluster = (await baoRequest<{ cluster_name: string }>(bao.addr, 'GET', 'sys/health')).cluster_name;
      await bg.seal(cluster, 'INC-2026-0042');
      const ev = await rx.waitFor((e, i = rx.events.indexOf(e)) => i >= before && e.action === 'trigger', 30_000, 'info trigger');
      expect(ev.valid, ev.problems.join('; ')).toBe(true);
      expect(ev.severity).toBe('info');
      expect(ev.summary).toContain('INC-2026-0042');
      expect((ev.body!.payload as { custom_details: Record<string, unknown> }).custom_details).toMatchObject({ break_glass_incident: 'INC-2026-0042', announced_by: 'admin' });
      expect(await watcher!.sample('vault_console_vault_sealed_by_console')).toBe(1);
      await unsealOpenBao(bao);
      await rx.waitFor((e, i = rx.events.indexOf(e)) => i > before && e.action === 'resolve', 30_000, 'resolve');
    } finally {
      admin.close();
    }
  }, 120_000);

  it('an announcement that cannot be written never blocks the break-glass seal, which then pages as unexpected', async () => {
    await running();
    const before = rx.events.length;
    const admin = await adminSession(bao.addr, bao.users.admin);
    try {
      // A mount the admin may not write: the announcement fails, the seal must not.
      const bg = new BreakGlass({ vault: () => admin.anon, session: admin.session, clock: systemClock, sealIntentMount: () => 'no-such-mount' });
      const cluster = (await baoRequest<{ cluster_name: string }>(bao.addr, 'GET', 'sys/health')).cluster_name;
      const st = await bg.seal(cluster, 'INC-2026-0099');
      expect(st.sealed).toBe(true);
      const ev = await rx.waitFor((e, i = rx.events.indexOf(e)) => i >= before && e.action === 'trigger', 30_000, 'critical trigger');
      expect(ev.severity).toBe('critical');
      expect(ev.summary).not.toContain('INC-2026-0099');
      await unsealOpenBao(bao);
      await rx.waitFor((e, i = rx.events.indexOf(e)) => i > before && e.action === 'resolve', 30_000, 'resolve');
    } finally {
      admin.close();
    }
  }, 120_000);

  it('with sealed-by-console=none, a break-glass seal pages no one, while an unannounced seal still pages', async () => {
    await watcher?.stop();
    watcher = await startWatcher({ bao, files, eventsUrl: rx.url, env: { VAULT_CONSOLE_WATCH_POLL_INTERVAL: `${POLL_MS}ms`, VAULT_CONSOLE_WATCH_SEALED_BY_CONSOLE: 'none' } });
    await watcherReady(watcher);
    await polls(watcher, 1);
    const before = rx.events.length;
    const admin = await adminSession(bao.addr, bao.users.admin);
    try {
      const bg = new BreakGlass({ vault: () => admin.anon, session: admin.session, clock: systemClock, sealIntentMount: () => `${bao.kvMount}-watch` });
      const cluster = (await baoRequest<{ cluster_name: string }>(bao.addr, 'GET', 'sys/health')).cluster_name;
      await bg.seal(cluster, 'INC-2026-0043');
    } finally {
      admin.close();
    }
    await polls(watcher, 4);
    expect(await watcher.sample('vault_console_watch_condition_active', 'condition="vault-sealed"')).toBe(1);
    expect(rx.events.length).toBe(before);
    await unsealOpenBao(bao);
    await waitFor('sealed condition cleared', async () => (await watcher!.sample('vault_console_watch_condition_active', 'condition="vault-sealed"')) === 0, { timeoutMs: 30_000 });
    await polls(watcher, 2);
    // Not paged, so nothing to resolve either.
    expect(rx.events.length).toBe(before);

    // An announcement explains one seal: the next seal, announced by no one, pages as critical.
    const sealedAt = await seal();
    const ev = await rx.waitFor((e, i = rx.events.indexOf(e)) => i >= before && e.action === 'trigger', 30_000, 'critical trigger');
    expect(ev.severity).toBe('critical');
    expect(ev.at - sealedAt).toBeLessThan((POLL_MS + 2_000) * 3);
    await unsealOpenBao(bao);
    await rx.waitFor((e, i = rx.events.indexOf(e)) => i > before && e.action === 'resolve', 30_000, 'resolve');
  }, 120_000);

  it('survives a Vault restart: no unreachable page within the grace, watching and beating go on', async () => {
    await running();
    const before = rx.events.length;
    const { dataDir, addr } = bao;
    await bao.stop();
    await waitFor('the watcher sees Vault down', async () => (await watcher!.sample('vault_console_vault_up')) === 0, { timeoutMs: 30_000 });
    expect(await watcher!.sample('vault_console_vault_sealed')).toBeNull();
    // Back on the same data dir and port (unsealed again by the test helper).
    bao = await startOpenBao({ dataDir, port: Number(new URL(addr).port) });
    await polls(watcher!, 3);
    expect(watcher!.alive).toBe(true);
    expect(await watcher!.sample('vault_console_vault_up')).toBe(1);
    expect(watcher!.log()).toMatch(/is unreachable/);
    // Down for less than the grace: no unreachable page. (A poll that caught the restarted
    // server before its unseal pages a seal, correctly, and resolves it: the resolve may still
    // be on its way from the outbox on a loaded machine.)
    await waitFor(
      'every trigger since the restart resolved',
      async () => {
        // Vault's conditions only: the test server's restart re-applies its audited request
        // headers as root, which the audit detectors rightly page as a sys-critical change.
        const after = rx.events.slice(before).filter((e) => e.status === 202 && /\/vault-[a-z]+$/.test(e.dedupKey ?? ''));
        return after.filter((e) => e.action === 'trigger').length === after.filter((e) => e.action === 'resolve').length;
      },
      { timeoutMs: 30_000 },
    ).catch((err: unknown) => {
      const seen = rx.events.slice(before).map((e) => `${e.action} ${e.dedupKey} ${e.summary ?? ''}`);
      throw new Error(`${err instanceof Error ? err.message : String(err)}: ${seen.join(' | ')}`);
    });
    expect(rx.events.slice(before).filter((e) => e.dedupKey?.endsWith('/vault-unreachable'))).toHaveLength(0);
    // The heartbeat is written again after the restart.
    const hb = await baoRequest<{ data: { metadata: { created_time: string } } }>(bao.addr, 'GET', `${bao.kvMount}-watch/data/watchers/test-watcher`, { token: bao.rootToken });
    await waitFor(
      'a heartbeat after the restart',
      async () => {
        const now = await baoRequest<{ data: { metadata: { created_time: string } } }>(bao.addr, 'GET', `${bao.kvMount}-watch/data/watchers/test-watcher`, { token: bao.rootToken });
        return now.data.metadata.created_time !== hb.data.metadata.created_time;
      },
      { timeoutMs: 30_000 },
    );
  }, 120_000);
});
